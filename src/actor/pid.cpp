// SPDX-License-Identifier: MIT
#include <hollywood/actor/pid.hpp>

#include "process.hpp"
#include "responder.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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

std::string_view pid_target::text_if_any() const noexcept {
  if (!numbered_) return text_;
  // Acquire: pairs with the release in numbered_text() (the text's contents).
  const std::string* text = lazy_.text.load(std::memory_order_acquire);
  return text != nullptr ? std::string_view(*text) : std::string_view{};
}

std::size_t pid_target::copy_id(char* out, std::size_t capacity) const noexcept {
  const std::string_view text = text_if_any();
  if (!text.empty() || !numbered_) {
    if (text.size() > capacity) return 0;
    text.copy(out, text.size());
    return text.size();
  }
  const numbered_id& parts = lazy_.id;
  std::size_t n = 0;
  if (parts.parent != nullptr) {
    n = parts.parent->copy_id(out, capacity);
    if (n == 0 || n == capacity) return 0;
    out[n++] = '/';
  }
  std::array<char, 20> buf;
  const std::string_view number = digits(parts.number, buf);
  if (n + parts.kind->size() + 1 + number.size() > capacity) return 0;
  n += parts.kind->copy(out + n, parts.kind->size());
  out[n++] = '/';
  n += number.copy(out + n, number.size());
  return n;
}

bool pid_target::same_id(const pid_target& other) const noexcept {
  if (numbered_ && other.numbered_) {
    const numbered_id& mine = lazy_.id;
    const numbered_id& theirs = other.lazy_.id;
    // The last part of an ID is its number, digits only: different numbers never make one text.
    if (mine.number != theirs.number) return false;
    if (mine.kind == theirs.kind && mine.parent == theirs.parent) return true;
  }
  if (const std::string_view text = text_if_any(); !text.empty()) return other.has_id(text);
  if (const std::string_view text = other.text_if_any(); !text.empty()) return has_id(text);
  // Both numbered alike but from different parents or kinds (say, two engines): compare stack
  // copies, so that comparing PIDs does not write out every ID it touches.
  std::array<char, 256> a;
  std::array<char, 256> b;
  const std::size_t na = copy_id(a.data(), a.size());
  const std::size_t nb = other.copy_id(b.data(), b.size());
  if (na != 0 && nb != 0) return std::string_view(a.data(), na) == std::string_view(b.data(), nb);
  return id() == other.id();  // deeper than the buffers: write them out
}

namespace {

/// Spreads a number over the hash's bits (Fibonacci hashing).
std::size_t hash_number(std::uint64_t n) noexcept {
  return static_cast<std::size_t>(n * 0x9E3779B97F4A7C15ULL);
}

/// The number the last part of `id` spells, if that part is a number as the engine writes one:
/// decimal digits, no sign, no leading zero.
std::optional<std::uint64_t> trailing_number(std::string_view id) noexcept {
  const std::size_t slash = id.rfind('/');
  const std::string_view part = slash == std::string_view::npos ? id : id.substr(slash + 1);
  if (part.empty() || part.size() > 20 || (part.size() > 1 && part.front() == '0')) return {};
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
  if (ec != std::errc{} || end != part.data() + part.size()) return {};
  return n;
}

}  // namespace

std::size_t pid_target::id_hash() const noexcept {
  // Equal IDs must hash alike whether given as text or numbered by the engine, and a numbered
  // one must not be written out for it: an ID that ends in a number hashes by that number alone.
  // Numbers are unique within an engine, so such hashes collide only across engines.
  if (numbered_) return hash_number(lazy_.id.number);
  if (const auto n = trailing_number(text_)) return hash_number(*n);
  return std::hash<std::string_view>{}(text_);
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
