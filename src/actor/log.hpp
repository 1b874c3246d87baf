// SPDX-License-Identifier: MIT
#pragma once

#include <hollywood/actor/dead_letter.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>

#include <string>
#include <string_view>

namespace hollywood::actor::detail {

using actor::log_level;

using actor::log_enabled;

/// Sends `text` to the sink if `level` is enabled. Never throws.
void log(log_level level, std::string_view text) noexcept;

/// Logs a dead letter nobody subscribed to, at most a few lines per second (the rest are counted
/// and summarised), so a flood of dead letters cannot flood the log.
void log_dead_letter(const pid& target, const message& m, dead_letter_reason reason,
                     std::string_view detail) noexcept;

}  // namespace hollywood::actor::detail
