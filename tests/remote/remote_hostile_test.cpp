// SPDX-License-Identifier: MIT
// Hostile bytes on a real socket: every violation closes the connection with a reason and an
// event, the engine keeps serving well-behaved peers, nothing malformed is delivered.

#include "frame.hpp"
#include "proto/wire.pb.h"
#include "remote_fixture.hpp"

#include <asio.hpp>
#include <hollywood_test/recorder.hpp>
#include <hollywood_test/wait.hpp>
#include <random>

namespace {

using namespace hollywood::actor;
using namespace hollywood::test;
using hollywood::errc;
namespace remote = hollywood::remote;
namespace wire = hollywood::remote::wire;
namespace rd = hollywood::remote::detail;

/// A raw client speaking (or abusing) the wire protocol.
class raw_client {
 public:
  explicit raw_client(const std::string& address) : socket_(io_) {
    const auto colon = address.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  /// Waits until the server closes the connection (a read returns EOF or an error).
  bool closed_by_server() {
    std::array<char, 256> buf{};
    std::error_code ec;
    socket_.non_blocking(false);
    // A receive timeout bounds a failing test; the server closes long before it.
    const timeval tv{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
      socket_.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec) return false;  // the timeout: still open
    }
  }

  void close() {
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
};

std::string frame_of(rd::frame_kind kind, const google::protobuf::MessageLite& body) {
  std::string out;
  rd::append_frame(out, kind, body);
  return out;
}

std::string hello(std::uint64_t session = 1) {
  wire::Hello h;
  h.set_address("127.0.0.1:1");
  h.set_incarnation(42);
  h.set_session(session);
  return frame_of(rd::frame_kind::hello, h);
}

wire::Batch one_message_batch(const std::string& target_address, std::uint64_t seq,
                              std::string type = "hollywood.test.Greeting") {
  wire::Batch b;
  b.set_seq(seq);
  b.add_types(std::move(type));
  auto* p = b.add_pids();
  p->set_address(target_address);
  p->set_id("sink/1");
  auto* e = b.add_envelopes();
  e->set_type(0);
  e->set_target(0);
  e->set_payload(greeting("hostile").SerializeAsString());
  return b;
}

struct hostile : ::testing::Test {
  remote_node node = make_node(fast_config()
                                   .with_max_frame_bytes(64 << 10)
                                   .with_max_batch(64, 16 << 10)
                                   // Short for the silent-connection case, yet long enough
                                   // that a server stalled on loaded cores still reads a hello.
                                   .with_handshake_timeout(std::chrono::seconds(1)));
  std::unique_ptr<recorder> events;
  std::unique_ptr<recorder> sink;

  void SetUp() override {
    ASSERT_TRUE(node.engine);
    events = std::make_unique<recorder>(*node.engine, "events");
    node.engine->subscribe(events->pid());
    sink = std::make_unique<recorder>(*node.engine, "sink");
  }

  /// Sends `bytes` on a fresh connection and checks the server closes it with `expected`.
  void expect_rejected(const std::string& bytes, errc expected, bool close_after = false) {
    const auto before = events->count<remote::remote_protocol_error_event>();
    raw_client c(node.address());
    c.send(bytes);
    if (close_after) c.close();
    if (!close_after) {
      EXPECT_TRUE(c.closed_by_server());
    }
    ASSERT_TRUE(events->wait_count<remote::remote_protocol_error_event>(before + 1,
                                                                        std::chrono::seconds(10)));
    const auto ev = events->all<remote::remote_protocol_error_event>()[before];
    EXPECT_EQ(ev.error, expected) << ev.reason;
    EXPECT_FALSE(ev.reason.empty());
    expect_still_serving();
  }

  /// A well-behaved engine still gets through.
  void expect_still_serving() {
    auto client = make_node();
    const auto before = sink->count<Greeting>();
    client.engine->send(node.at(sink->pid().id()), greeting("legit"));
    ASSERT_TRUE(sink->wait_count<Greeting>(before + 1));
    for (const auto& g : sink->all<Greeting>())
      EXPECT_EQ(g.text(), "legit") << "nothing hostile was delivered";
  }
};

TEST_F(hostile, an_oversized_frame_is_refused_before_it_is_read) {
  // Announces 4 GiB; the server must not wait for (or allocate) any of it.
  expect_rejected(std::string("\xff\xff\xff\xff\x01\x01", 6), errc::frame_too_large);
  std::string just_over(4, '\0');
  const std::uint32_t len = (64u << 10) + 3;
  just_over[0] = static_cast<char>(len >> 24);
  just_over[1] = static_cast<char>(len >> 16);
  just_over[2] = static_cast<char>(len >> 8);
  just_over[3] = static_cast<char>(len);
  expect_rejected(just_over, errc::frame_too_large);
}

TEST_F(hostile, a_truncated_frame_is_reported_when_the_peer_hangs_up) {
  std::string h = hello();
  expect_rejected(h.substr(0, h.size() - 3), errc::protocol_error, /*close_after=*/true);
}

TEST_F(hostile, garbage_bytes_close_the_connection) {
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::string junk(512, '\0');
    for (auto& ch : junk)
      ch = static_cast<char>(rng());
    junk[0] = 0;  // a length the server will read in full (junk, not just a huge prefix)
    junk[1] = 0;
    junk[2] = 1;
    junk[3] = 0;
    junk[4] = 1;  // the right version, so the kind or the payload is what is wrong
    junk[5] = static_cast<char>(1 + round % 3);
    raw_client c(node.address());
    c.send(junk);
    EXPECT_TRUE(c.closed_by_server());
  }
  ASSERT_TRUE(events->wait_count<remote::remote_protocol_error_event>(5));
  expect_still_serving();
}

TEST_F(hostile, a_wrong_version_is_refused) {
  std::string f = hello();
  f[4] = 2;
  expect_rejected(f, errc::version_mismatch);
}

TEST_F(hostile, an_unknown_frame_kind_is_refused) {
  std::string f = hello();
  f[5] = 9;
  expect_rejected(f, errc::protocol_error);
}

TEST_F(hostile, malformed_protobuf_is_refused) {
  std::string f = hello();
  std::string bad = f.substr(0, 6) + std::string(f.size() - 6, '\xff');
  expect_rejected(bad, errc::protocol_error);
  expect_rejected(hello() + frame_of(rd::frame_kind::batch, wire::Ack{}).substr(0, 6) + "\xff\xff",
                  errc::protocol_error);
}

TEST_F(hostile, a_batch_before_hello_is_refused) {
  expect_rejected(frame_of(rd::frame_kind::batch, one_message_batch(node.address(), 1)),
                  errc::protocol_error);
}

TEST_F(hostile, an_unknown_type_name_is_refused) {
  expect_rejected(
      hello() + frame_of(rd::frame_kind::batch, one_message_batch(node.address(), 1, "evil.Type")),
      errc::unknown_type);
}

TEST_F(hostile, a_gap_in_batch_numbers_is_refused) {
  expect_rejected(hello() + frame_of(rd::frame_kind::batch, one_message_batch(node.address(), 2)),
                  errc::protocol_error);
}

TEST_F(hostile, an_index_out_of_range_is_refused) {
  auto b = one_message_batch(node.address(), 1);
  b.mutable_envelopes(0)->set_target(7);
  expect_rejected(hello() + frame_of(rd::frame_kind::batch, b), errc::protocol_error);
}

TEST_F(hostile, a_payload_its_codec_rejects_is_refused) {
  auto b = one_message_batch(node.address(), 1);
  b.mutable_envelopes(0)->set_payload("\xff\xff\xff\xff");
  expect_rejected(hello() + frame_of(rd::frame_kind::batch, b), errc::invalid_argument);
}

TEST_F(hostile, a_hello_without_address_or_a_second_hello_is_refused) {
  wire::Hello h;
  h.set_session(1);
  expect_rejected(frame_of(rd::frame_kind::hello, h), errc::protocol_error);
  expect_rejected(hello() + hello(), errc::protocol_error);
}

TEST_F(hostile, a_silent_connection_is_closed_after_the_handshake_timeout) {
  raw_client c(node.address());
  EXPECT_TRUE(c.closed_by_server());
  ASSERT_TRUE(events->wait_count<remote::remote_protocol_error_event>(1));
}

TEST(hostile_limits, a_batch_of_tiny_envelopes_beyond_the_receivers_limit_is_refused) {
  // 70,000 envelopes of two bytes each: a small frame that would parse into tens of megabytes.
  auto node = make_node();
  recorder events(*node.engine, "events");
  node.engine->subscribe(events.pid());
  wire::Batch b = one_message_batch(node.address(), 1);
  const auto e = b.envelopes(0);
  for (int i = 1; i < 70'000; ++i)
    *b.add_envelopes() = e;
  raw_client c(node.address());
  c.send(hello() + frame_of(rd::frame_kind::batch, b));
  EXPECT_TRUE(c.closed_by_server());
  ASSERT_TRUE(events.wait_count<remote::remote_protocol_error_event>(1));
  EXPECT_NE(events.all<remote::remote_protocol_error_event>()[0].reason.find("limits"),
            std::string::npos);
}

TEST_F(hostile, a_watch_request_for_another_engines_actor_is_ignored) {
  auto b = one_message_batch("127.0.0.1:9", 1, "hollywood.Watch");
  b.mutable_envelopes(0)->clear_payload();
  auto* w = b.add_pids();
  w->set_address("127.0.0.1:10");
  w->set_id("watcher/1");
  b.mutable_envelopes(0)->set_sender(2);
  raw_client c(node.address());
  c.send(hello() + frame_of(rd::frame_kind::batch, b));
  expect_still_serving();
  EXPECT_EQ(events->count<remote::remote_protocol_error_event>(), 0u);
  EXPECT_EQ(node.net->stats().messages_sent, 0u) << "nothing was forwarded to a third engine";
}

TEST_F(hostile, a_well_formed_batch_from_a_raw_client_is_delivered) {
  // The control case: the same client code, speaking the protocol correctly, gets through.
  raw_client c(node.address());
  auto b = one_message_batch(node.address(), 1);
  b.mutable_pids(0)->set_id(std::string(sink->pid().id()));
  b.mutable_envelopes(0)->set_payload(greeting("legit").SerializeAsString());
  c.send(hello() + frame_of(rd::frame_kind::batch, b));
  ASSERT_TRUE(sink->wait_count<Greeting>(1));
  EXPECT_EQ(events->count<remote::remote_protocol_error_event>(), 0u);
}

}  // namespace
