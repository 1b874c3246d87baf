// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/remote/codec.hpp>

#include <google/protobuf/message_lite.h>

#include <limits>
#include <string>
#include <type_traits>

namespace hollywood::remote {

/// The codec of a protobuf message type, registered under the type's full name
/// ("package.Message"). Decoding rejects bytes protobuf cannot parse.
template <class T>
class protobuf_codec final : public codec {
  static_assert(std::is_base_of_v<google::protobuf::MessageLite, T>,
                "protobuf_codec needs a generated protobuf message type");

 public:
  protobuf_codec() : name_(T::default_instance().GetTypeName()) {}

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const void* type_id() const noexcept override {
    return actor::message::type_id_of<T>();
  }
  bool encode(const actor::message& m, std::string& out) const override {
    const T* v = m.get_if<T>();
    return v != nullptr && v->AppendToString(&out);
  }
  [[nodiscard]] expected<actor::message> decode(std::string_view bytes) const override {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      return unexpected(errc::invalid_argument);
    }
    T v;
    if (!v.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return unexpected(errc::invalid_argument);
    }
    return actor::message(std::move(v));
  }

 private:
  std::string name_;
};

}  // namespace hollywood::remote
