// SPDX-License-Identifier: MIT
#pragma once

/// How a message type crosses the wire: a codec turns one payload type into bytes and back, under
/// a wire name both engines agree on.
///
///   registry.add(std::make_shared<protobuf_codec<chat::Line>>());      // name: "chat.Line"
///   registry.add(std::make_shared<trivial_codec<tick>>("demo.tick"));  // raw bytes of a POD
///
/// Codecs are shared by every connection and called from the remote's I/O thread and from
/// senders: implementations must be thread-safe (the ones here are stateless).

#include <hollywood/actor/message.hpp>
#include <hollywood/expected.hpp>

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace hollywood::remote {

/// Serialises one payload type. @threadsafe
class codec {
 public:
  virtual ~codec() = default;

  /// Returns the wire name of the type (unique among the registered codecs).
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  /// Returns `actor::message::type_id_of<T>()` for the type this codec handles.
  [[nodiscard]] virtual const void* type_id() const noexcept = 0;

  /// Appends the payload of `m` (which holds this codec's type) to `out`; false if it cannot.
  virtual bool encode(const actor::message& m, std::string& out) const = 0;

  /// Builds a message from `bytes`; an error (`errc::invalid_argument`) for malformed input.
  /// Must never crash or allocate without bound on hostile bytes.
  [[nodiscard]] virtual expected<actor::message> decode(std::string_view bytes) const = 0;
};

/// A codec that copies the bytes of a trivially copyable type. Both engines must share the
/// type's layout (same architecture, same definition).
template <class T>
class trivial_codec final : public codec {
  static_assert(std::is_trivially_copyable_v<T>, "trivial_codec needs a trivially copyable type");

 public:
  explicit trivial_codec(std::string name) : name_(std::move(name)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const void* type_id() const noexcept override {
    return actor::message::type_id_of<T>();
  }
  bool encode(const actor::message& m, std::string& out) const override {
    const T* v = m.get_if<T>();
    if (v == nullptr) return false;
    out.append(reinterpret_cast<const char*>(v), sizeof(T));
    return true;
  }
  [[nodiscard]] expected<actor::message> decode(std::string_view bytes) const override {
    if (bytes.size() != sizeof(T)) return unexpected(errc::invalid_argument);
    T v;
    std::memcpy(&v, bytes.data(), sizeof(T));
    return actor::message(v);
  }

 private:
  std::string name_;
};

}  // namespace hollywood::remote
