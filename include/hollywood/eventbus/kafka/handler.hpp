// SPDX-License-Identifier: MIT
#pragma once

/// Record handlers, in two forms.
///
/// Asynchronous: called on the record's pool actor (an engine worker), it must not block; it
/// starts the work and completes the attempt later, from any thread:
///
///   bus->handle("orders", [&](const record& r, attempt_completion done) {
///     db.write_async(r.value(), [done](bool ok) { ok ? done.succeed() : done.fail("db"); });
///   });
///
/// Blocking: runs on the bus's handler threads (never on engine workers) and returns the outcome;
/// a throw is a failure:
///
///   bus->handle_blocking("orders", [&](const record& r) { db.write(r.value()); return
///   outcome::success(); });
///
/// Either way one aggregate's records run one at a time, in offset order; a failed attempt is
/// retried with back-off before the aggregate's next record starts.

#include <hollywood/eventbus/kafka/record.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace hollywood::eventbus::kafka {

/// The result of one attempt. A value type.
class outcome {
 public:
  static outcome success() { return outcome(true, {}); }
  /// `reason` ends up in the dead-letter record's error header if all attempts fail.
  static outcome failure(std::string reason) { return outcome(false, std::move(reason)); }

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  outcome(bool ok, std::string reason) : ok_(ok), reason_(std::move(reason)) {}
  bool ok_;
  std::string reason_;
};

namespace detail {
class attempt_state;
}

/// Completes one attempt of an asynchronous handler. Copies share one attempt: the first call
/// counts, later ones are ignored. If every copy is destroyed without a call, the attempt
/// failed ("completion dropped"), so a forgotten completion cannot stall a partition.
/// @threadsafe
class attempt_completion {
 public:
  explicit attempt_completion(std::shared_ptr<detail::attempt_state> state) noexcept
      : state_(std::move(state)) {}

  void succeed() const { complete(outcome::success()); }
  void fail(std::string reason) const { complete(outcome::failure(std::move(reason))); }
  void complete(outcome result) const;
  void operator()(outcome result) const { complete(std::move(result)); }

 private:
  std::shared_ptr<detail::attempt_state> state_;
};

using async_handler = std::function<void(const record&, attempt_completion)>;
using blocking_handler = std::function<outcome(const record&)>;

}  // namespace hollywood::eventbus::kafka
