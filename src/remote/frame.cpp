// SPDX-License-Identifier: MIT
#include "frame.hpp"

#include <google/protobuf/message_lite.h>

namespace hollywood::remote::detail {

namespace {

std::uint32_t read_length(const char* p) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

bool known_kind(std::uint8_t k) noexcept {
  return k >= static_cast<std::uint8_t>(frame_kind::hello) &&
         k <= static_cast<std::uint8_t>(frame_kind::ack);
}

}  // namespace

bool append_frame(std::string& out, frame_kind kind, const google::protobuf::MessageLite& body) {
  const std::size_t size = body.ByteSizeLong();
  if (size > UINT32_MAX - 2) return false;
  const auto length = static_cast<std::uint32_t>(size + 2);
  const std::size_t start = out.size();
  out.resize(start + frame_header_size + size);
  char* p = out.data() + start;
  p[0] = static_cast<char>(length >> 24);
  p[1] = static_cast<char>(length >> 16);
  p[2] = static_cast<char>(length >> 8);
  p[3] = static_cast<char>(length);
  p[4] = static_cast<char>(protocol_version);
  p[5] = static_cast<char>(kind);
  return body.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(p + 6)) ==
         reinterpret_cast<std::uint8_t*>(p + 6 + size);
}

expected<void> frame_decoder::feed(std::string_view bytes,
                                   const std::function<expected<void>(const frame&)>& on_frame) {
  if (failed_) return unexpected(errc::protocol_error);
  auto fail = [this](errc e) -> expected<void> {
    failed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return unexpected(e);
  };
  auto deliver = [&](std::string_view whole) -> expected<void> {
    const auto version = static_cast<std::uint8_t>(whole[length_size]);
    const auto kind = static_cast<std::uint8_t>(whole[length_size + 1]);
    if (version != protocol_version) return fail(errc::version_mismatch);
    if (!known_kind(kind)) return fail(errc::protocol_error);
    const frame f{static_cast<frame_kind>(kind), whole.substr(frame_header_size)};
    if (auto r = on_frame(f); !r) return fail(static_cast<errc>(r.error().value()));
    return {};
  };
  while (!bytes.empty() || buffer_.size() >= length_size) {
    // Whole frames in the input are handed over in place, without copying.
    if (buffer_.empty() && bytes.size() >= length_size) {
      const std::uint32_t length = read_length(bytes.data());
      if (length < 2) return fail(errc::protocol_error);
      if (length > max_frame_ + 2) return fail(errc::frame_too_large);
      const std::size_t total = length_size + length;
      if (bytes.size() >= total) {
        if (auto r = deliver(bytes.substr(0, total)); !r) return r;
        bytes.remove_prefix(total);
        continue;
      }
    }
    // Complete the length prefix first; nothing larger is buffered before it is checked.
    if (buffer_.size() < length_size) {
      const std::size_t take = std::min(length_size - buffer_.size(), bytes.size());
      buffer_.append(bytes.data(), take);
      bytes.remove_prefix(take);
      if (buffer_.size() < length_size) break;
    }
    const std::uint32_t length = read_length(buffer_.data());
    if (length < 2) return fail(errc::protocol_error);
    if (length > max_frame_ + 2) return fail(errc::frame_too_large);
    const std::size_t total = length_size + length;
    const std::size_t take = std::min(total - buffer_.size(), bytes.size());
    buffer_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (buffer_.size() < total) break;  // wait for the rest of the frame
    if (auto r = deliver(buffer_); !r) return r;
    buffer_.clear();
  }
  return {};
}

}  // namespace hollywood::remote::detail
