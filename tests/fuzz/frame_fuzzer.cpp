// SPDX-License-Identifier: MIT
// libFuzzer target: the bytes an inbound connection reads, through the frame decoder, the wire
// schema and batch decoding, exactly as the remote's reader takes them. Any crash, leak,
// sanitizer report or allocation beyond the frame limit is a bug.
//
// Input layout: byte 0 picks the read sizes the stream is cut into and whether a valid hello
// comes first (so mutations reach batch decoding without a corpus); the rest is the stream.

#include <hollywood/remote/type_registry.hpp>

#include "batch.hpp"
#include "frame.hpp"
#include "proto/wire.pb.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace rd = hollywood::remote::detail;
namespace wire = hollywood::remote::wire;

struct tick {
  std::uint64_t seq;
  double at;
};

const hollywood::remote::type_registry& types() {
  static const auto* registry = [] {
    auto* r = new hollywood::remote::type_registry;
    // Any protobuf types do as payloads; the schema's own are at hand.
    (void)r->add_protobuf<wire::Pid>();
    (void)r->add_protobuf<wire::Ack>();
    (void)r->add<tick>("fuzz.tick");
    return r;
  }();
  return *registry;
}

const std::string& hello_frame() {
  static const std::string frame = [] {
    wire::Hello h;
    h.set_address("127.0.0.1:7000");
    h.set_session(1);
    std::string out;
    rd::append_frame(out, rd::frame_kind::hello, h);
    return out;
  }();
  return frame;
}

bool parse(google::protobuf::MessageLite& m, std::string_view bytes) {
  return bytes.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()) &&
         m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::string stream;
  if ((mode & 0x80) != 0) stream = hello_frame();
  stream.append(reinterpret_cast<const char*>(data + 1), size - 1);

  constexpr std::size_t max_frame = 1 << 16;
  rd::frame_decoder decoder(max_frame);
  wire::Batch batch;
  std::vector<rd::incoming> out;
  auto on_frame = [&](const rd::frame& f) -> hollywood::expected<void> {
    if (f.payload.size() > max_frame) __builtin_trap();  // the limit must hold
    switch (f.kind) {
      case rd::frame_kind::hello: {
        wire::Hello h;
        if (!parse(h, f.payload)) return hollywood::unexpected(hollywood::errc::protocol_error);
        return {};
      }
      case rd::frame_kind::ack: {
        wire::Ack a;
        if (!parse(a, f.payload)) return hollywood::unexpected(hollywood::errc::protocol_error);
        return {};
      }
      case rd::frame_kind::batch:
        if (!parse(batch, f.payload)) return hollywood::unexpected(hollywood::errc::protocol_error);
        return rd::decode_batch(batch, types(), out);
    }
    return hollywood::unexpected(hollywood::errc::protocol_error);
  };
  // Cut the stream as the network might: 1..16 bytes per read, or all at once.
  const std::size_t step = (mode & 0x0f) == 0 ? stream.size() : (mode & 0x0f);
  std::string_view rest(stream);
  while (!rest.empty()) {
    const std::size_t n = std::min(step, rest.size());
    if (!decoder.feed(rest.substr(0, n), on_frame)) break;
    if (decoder.buffered() > max_frame + rd::frame_header_size) __builtin_trap();
    rest.remove_prefix(n);
  }
  return 0;
}
