// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/log.hpp>

#include "log_limiter.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace hollywood::actor::detail {

using actor::log_enabled;
using actor::log_level;

/// Sends `msg="<text>"` to the sink if `level` is enabled. Never throws.
void log(log_level level, std::string_view text) noexcept;

/// The rate-limited kinds of event (see log.hpp).
enum class limited_event : std::uint8_t { dead_letter, actor_restart, actor_max_restarts_exceeded };

/// One engine's rate limits of its limited events (each engine has its own budget, so one
/// engine's flood never hides another's lines). @threadsafe
class limited_log {
 public:
  limited_log() noexcept;

  /// Whether a line of `event` may be written now: false when its level (error; warn for dead
  /// letters) is off, or its rate limit is reached (the line is then counted). A count left from
  /// earlier windows is reported first. Call it before formatting the line.
  [[nodiscard]] bool admit(limited_event event) noexcept;

  /// Writes `event=<event's name> ...fields` at the event's level; after `admit` said yes.
  static void write(limited_event event, std::initializer_list<log_field> fields) noexcept;

  /// Reports every count of suppressed lines not reported yet (the engine calls it when it shuts
  /// down, so the last burst of a run is accounted for).
  void flush() noexcept;

 private:
  std::array<log_limiter, 3> limiters_;
};

}  // namespace hollywood::actor::detail
