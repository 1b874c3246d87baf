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

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hollywood::remote {

/// @threadsafe. Lookups by type are lock-free (every send to another engine makes one);
/// registration takes a lock and is meant for start-up, though it may happen at any time.
class type_registry {
 public:
  type_registry();
  type_registry(const type_registry&) = delete;
  type_registry& operator=(const type_registry&) = delete;
  ~type_registry();

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

  /// Returns the codec for the type a message holds (`message::type_id()`), or null. The codec
  /// lives as long as the registry.
  [[nodiscard]] const codec* by_type(const void* type_id) const noexcept;

  /// Returns the codec registered under `name`, or null. The codec lives as long as the registry.
  [[nodiscard]] const codec* by_name(std::string_view name) const;

 private:
  struct table;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const codec>> codecs_ HOLLYWOOD_GUARDED_BY(mu_);
  std::unordered_map<std::string_view, const codec*> by_name_ HOLLYWOOD_GUARDED_BY(mu_);
  // Immutable snapshots of type -> codec; readers load the newest (acquire, partner: the
  // release store in add()). Older snapshots stay until the registry dies, because a reader may
  // still be probing one: registrations are few, so this costs little.
  std::atomic<const table*> by_type_{nullptr};
  std::vector<std::unique_ptr<const table>> tables_ HOLLYWOOD_GUARDED_BY(mu_);
};

}  // namespace hollywood::remote
