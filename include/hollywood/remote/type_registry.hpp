// SPDX-License-Identifier: MIT
#pragma once

/// The message types an engine can send to and receive from other engines. A type travels only
/// if both sides registered a codec under the same wire name.
///
///   remote::type_registry types;
///   types.add_protobuf<chat::Line>();          // "chat.Line"
///   types.add<tick>("demo.tick");              // a trivially copyable struct
///
/// Registering a type twice is harmless (the first codec stays); two different types under one
/// name is an error.

#include <hollywood/remote/codec.hpp>
#include <hollywood/remote/protobuf_codec.hpp>
#include <hollywood/thread_annotations.hpp>

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hollywood::remote {

/// @threadsafe
class type_registry {
 public:
  type_registry() = default;
  type_registry(const type_registry&) = delete;
  type_registry& operator=(const type_registry&) = delete;

  /// Registers `c`. Errors: `errc::invalid_argument` (empty name, or the name or type is taken
  /// by a different codec). Registering the same type under the same name again succeeds.
  expected<void> add(std::shared_ptr<const codec> c);

  /// Registers protobuf message type `T` under its full name.
  template <class T>
  expected<void> add_protobuf() {
    return add(std::make_shared<protobuf_codec<T>>());
  }

  /// Registers the trivially copyable `T` under `name`.
  template <class T>
  expected<void> add(std::string name) {
    return add(std::make_shared<trivial_codec<T>>(std::move(name)));
  }

  /// Returns the codec for the type a message holds (`message::type_id()`), or null.
  [[nodiscard]] std::shared_ptr<const codec> by_type(const void* type_id) const;

  /// Returns the codec registered under `name`, or null.
  [[nodiscard]] std::shared_ptr<const codec> by_name(std::string_view name) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<const void*, std::shared_ptr<const codec>> by_type_ HOLLYWOOD_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::shared_ptr<const codec>> by_name_ HOLLYWOOD_GUARDED_BY(mu_);
};

}  // namespace hollywood::remote
