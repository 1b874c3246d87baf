// SPDX-License-Identifier: MIT
#include "frame.hpp"

#include "proto/wire.pb.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace hollywood::remote::detail;
using hollywood::errc;
namespace wire = hollywood::remote::wire;

std::string hello_frame(const std::string& address) {
  wire::Hello h;
  h.set_address(address);
  h.set_incarnation(42);
  std::string out;
  EXPECT_TRUE(append_frame(out, frame_kind::hello, h));
  return out;
}

struct collected {
  std::vector<frame_kind> kinds;
  std::vector<std::string> payloads;
  std::function<hollywood::expected<void>(const frame&)> sink() {
    return [this](const frame& f) -> hollywood::expected<void> {
      kinds.push_back(f.kind);
      payloads.emplace_back(f.payload);
      return {};
    };
  }
};

TEST(frame, a_frame_round_trips_through_the_decoder) {
  frame_decoder d;
  collected c;
  ASSERT_TRUE(d.feed(hello_frame("127.0.0.1:4000"), c.sink()));
  ASSERT_EQ(c.kinds.size(), 1u);
  EXPECT_EQ(c.kinds[0], frame_kind::hello);
  wire::Hello h;
  ASSERT_TRUE(h.ParseFromString(c.payloads[0]));
  EXPECT_EQ(h.address(), "127.0.0.1:4000");
  EXPECT_EQ(h.incarnation(), 42u);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(frame, frames_split_at_every_byte_are_reassembled) {
  const std::string bytes = hello_frame("a") + hello_frame("bb") + hello_frame("ccc");
  frame_decoder d;
  collected c;
  for (char b : bytes)
    ASSERT_TRUE(d.feed(std::string_view(&b, 1), c.sink()));
  ASSERT_EQ(c.kinds.size(), 3u);
  wire::Hello h;
  ASSERT_TRUE(h.ParseFromString(c.payloads[2]));
  EXPECT_EQ(h.address(), "ccc");
}

TEST(frame, an_oversized_length_is_refused_before_anything_is_buffered) {
  frame_decoder d(1024);
  const std::string header("\x00\x10\x00\x00\x01\x02", 6);  // 1 MiB announced
  collected c;
  auto r = d.feed(header, c.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::frame_too_large);
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_TRUE(c.kinds.empty());
}

TEST(frame, a_wrong_version_is_refused) {
  std::string f = hello_frame("x");
  f[4] = 9;
  frame_decoder d;
  collected c;
  auto r = d.feed(f, c.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::version_mismatch);
}

TEST(frame, an_unknown_kind_or_an_empty_frame_is_a_protocol_error) {
  std::string f = hello_frame("x");
  f[5] = 77;
  frame_decoder d1;
  collected c;
  EXPECT_EQ(d1.feed(f, c.sink()).error(), errc::protocol_error);
  frame_decoder d2;
  EXPECT_EQ(d2.feed(std::string("\x00\x00\x00\x01\x01", 5), c.sink()).error(),
            errc::protocol_error);
}

TEST(frame, after_an_error_the_decoder_refuses_everything) {
  std::string bad = hello_frame("x");
  bad[4] = 2;
  frame_decoder d;
  collected c;
  EXPECT_FALSE(d.feed(bad, c.sink()));
  EXPECT_FALSE(d.feed(hello_frame("y"), c.sink()));
  EXPECT_TRUE(c.kinds.empty());
}

TEST(frame, the_handler_can_reject_a_frame) {
  frame_decoder d;
  auto r = d.feed(hello_frame("x"), [](const frame&) -> hollywood::expected<void> {
    return hollywood::unexpected(errc::protocol_error);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::protocol_error);
}

TEST(frame, random_garbage_never_crashes_and_never_buffers_past_the_limit) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 2000; ++round) {
    frame_decoder d(4096);
    std::string bytes(static_cast<std::size_t>(rng() % 512), '\0');
    for (auto& b : bytes)
      b = static_cast<char>(rng());
    (void)d.feed(bytes, [](const frame&) -> hollywood::expected<void> { return {}; });
    EXPECT_LE(d.buffered(), frame_header_size + 4096);
  }
}

}  // namespace
