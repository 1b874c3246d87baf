// SPDX-License-Identifier: MIT
#include <hollywood/actor/pid.hpp>

#include "process.hpp"
#include "responder.hpp"

#include <array>
#include <cstdint>
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

namespace {

/// A number's decimal digits, at the end of `buf`.
std::string_view digits(std::uint64_t number, std::array<char, 20>& buf) noexcept {
  char* p = buf.data() + buf.size();
  do {
    *--p = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number != 0);
  return {p, static_cast<std::size_t>(buf.data() + buf.size() - p)};
}

}  // namespace

std::string_view pid_target::numbered_text() const noexcept {
  // Acquire: pairs with the release of the compare-exchange below (the text's contents).
  if (const std::string* text = lazy_.text.load(std::memory_order_acquire)) return *text;
  std::array<char, 20> buf;
  const numbered_id& id = lazy_.id;
  std::string parent;  // written out first: the parent's ID is lazy too
  if (id.parent != nullptr) parent = id.parent->id();
  auto* mine = new std::string(std::move(parent));
  if (id.parent != nullptr) mine->push_back('/');
  mine->append(*id.kind);
  mine->push_back('/');
  mine->append(digits(id.number, buf));
  std::string* expected = nullptr;
  // Release on success: readers that load the pointer see the text (acquire above). Acquire on
  // failure: this thread reads the winner's text instead.
  if (!lazy_.text.compare_exchange_strong(expected, mine, std::memory_order_release,
                                          std::memory_order_acquire)) {
    delete mine;
    return *expected;
  }
  return *mine;
}

bool pid_target::has_id(std::string_view id) const noexcept {
  if (!numbered_) return id == text_;
  // Matched from the end, part by part: the number, the kind, then the parent's ID.
  std::array<char, 20> buf;
  const numbered_id& parts = lazy_.id;
  const std::string_view number = digits(parts.number, buf);
  if (!id.ends_with(number)) return false;
  id.remove_suffix(number.size());
  if (!id.ends_with('/')) return false;
  id.remove_suffix(1);
  if (!id.ends_with(*parts.kind)) return false;
  id.remove_suffix(parts.kind->size());
  if (parts.parent == nullptr) return id.empty();
  if (!id.ends_with('/')) return false;
  id.remove_suffix(1);
  return parts.parent->has_id(id);
}

const std::string* intern(std::string_view text) {
  // Addresses (one per engine or remote peer) and kinds are few and are kept forever: a PID can
  // always print its ID and address, even after its engine is gone.
  static std::mutex mu;
  static std::unordered_set<std::string>* table = new std::unordered_set<std::string>();
  std::lock_guard lock(mu);
  return &*table->emplace(text).first;
}

}  // namespace detail

pid::pid(std::string_view address, std::string_view id) {
  if (address.empty() || id.empty()) return;
  target_ = new detail::named_target(detail::intern(address), std::string(id));
}

std::string pid::to_string() const {
  if (target_ == nullptr) return {};
  std::string s(address());
  s.push_back('/');
  s.append(id());
  return s;
}

}  // namespace hollywood::actor
