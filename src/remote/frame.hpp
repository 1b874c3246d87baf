// SPDX-License-Identifier: MIT
#pragma once

// Framing of the remote wire protocol (docs/remote-protocol.md):
//
//   u32 length (big-endian; counts every byte after itself) | u8 version | u8 kind | payload
//
// The decoder treats every byte as hostile: it checks the announced length against the limit
// before it buffers anything, never holds more than one frame, and reports the first violation;
// after an error the stream is unusable and the connection must close.

#include <hollywood/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
}

namespace hollywood::remote::detail {

inline constexpr std::uint8_t protocol_version = 1;
inline constexpr std::size_t length_size = 4;
inline constexpr std::size_t frame_header_size = length_size + 2;  // + version + kind
/// Default limit of a frame (header excluded): big enough for any sane batch.
inline constexpr std::size_t default_max_frame = 16u << 20;

enum class frame_kind : std::uint8_t { hello = 1, batch = 2, ack = 3 };

/// A decoded frame; `payload` is valid only during the `on_frame` call that receives it.
struct frame {
  frame_kind kind;
  std::string_view payload;
};

/// Appends one frame carrying `body` to `out`. Returns false if `body` does not serialise.
bool append_frame(std::string& out, frame_kind kind, const google::protobuf::MessageLite& body);

/// Splits a byte stream into frames. Not thread-safe (one connection's reader).
class frame_decoder {
 public:
  explicit frame_decoder(std::size_t max_frame = default_max_frame) noexcept
      : max_frame_(max_frame) {}

  /// Consumes `bytes`, calling `on_frame` for every complete frame. Returns the first protocol
  /// violation: `errc::frame_too_large`, `errc::version_mismatch`, `errc::protocol_error`
  /// (unknown kind, empty frame), or the error `on_frame` returned.
  expected<void> feed(std::string_view bytes,
                      const std::function<expected<void>(const frame&)>& on_frame);

  /// Bytes buffered for an incomplete frame.
  [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size(); }

 private:
  const std::size_t max_frame_;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace hollywood::remote::detail
