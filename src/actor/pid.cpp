// SPDX-License-Identifier: MIT
#include <hollywood/actor/pid.hpp>

#include "process.hpp"
#include "responder.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace hollywood::actor {

namespace detail {

namespace {

/// A PID made from strings: resolved through the registry (or a remote) at send time.
class named_target final : public pid_target {
 public:
  named_target(const std::string* address, std::string id) noexcept
      : pid_target(target_kind::named, address, std::move(id)) {}
};

}  // namespace

void pid_target::destroy() noexcept {
  switch (kind_) {
    case target_kind::process:
      delete static_cast<process*>(this);
      return;
    case target_kind::responder:
      delete static_cast<responder*>(this);
      return;
    case target_kind::mailbox:
      delete static_cast<mailbox_target*>(this);
      return;
    case target_kind::named:
      delete static_cast<named_target*>(this);
      return;
  }
}

const std::string* intern_address(std::string_view address) {
  // Addresses are few (one per engine or remote peer) and live for the whole program, so they
  // are kept forever: a PID can always print its address, even after its engine is gone.
  static std::mutex mu;
  static std::unordered_set<std::string>* table = new std::unordered_set<std::string>();
  std::lock_guard lock(mu);
  return &*table->emplace(address).first;
}

}  // namespace detail

pid::pid(std::string_view address, std::string_view id) {
  if (address.empty() || id.empty()) return;
  target_ = new detail::named_target(detail::intern_address(address), std::string(id));
}

std::string pid::to_string() const {
  if (target_ == nullptr) return {};
  std::string s(address());
  s.push_back('/');
  s.append(id());
  return s;
}

}  // namespace hollywood::actor
