// SPDX-License-Identifier: MIT
#pragma once

/// The library's logging hook. Everything the library reports asynchronously (crashes and
/// restarts, dead letters, refused spawns, lost connections, cluster verdicts) goes through one
/// sink as one line of logfmt `key=value` fields: `event=<name> field=value ...` for the engine's
/// events, `msg="<text>"` for the rest. Values with spaces, quotes or `=` are quoted.
///
///   event=actor_restart actor=local/worker/7 kind=worker restart=1 max_restarts=3
///       delay_ms=500 reason="std::runtime_error: boom"
///
/// The default sink is spdlog, on stderr, prefixed with the time and `level=`. Replace it to
/// route into your own logging:
///
///   hollywood::actor::set_log_sink([](log_level lvl, std::string_view line) { my_log(lvl, line);
///   });
///
/// Levels: restarts and max-restarts are errors; dead letters are warnings. Those three kinds of
/// event are rate-limited per engine (`log_burst` lines per second each); what a second
/// suppressed is reported by one `event=log_suppressed` line with the count, at the next line of
/// that kind or when the engine shuts down. Their counts are exact in the metrics either way.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace hollywood::actor {

enum class log_level : std::uint8_t { debug, info, warn, error };

/// Returns the level's name ("debug", "info", "warn", "error").
[[nodiscard]] std::string_view to_string(log_level level) noexcept;
/// Parses a level's name; nothing for anything else.
[[nodiscard]] std::optional<log_level> parse_log_level(std::string_view name) noexcept;

/// Lines of one rate-limited kind of event let through per second.
inline constexpr std::uint32_t log_burst = 5;

/// Receives one logfmt line (without a trailing newline). Called from any thread, one call at a
/// time.
using log_sink = std::function<void(log_level, std::string_view)>;

/// Installs `sink` (an empty function restores the default). @threadsafe
void set_log_sink(log_sink sink);

/// Sets the lowest level passed to the sink (default: `warn`). @threadsafe
void set_log_level(log_level level) noexcept;

/// Returns whether `level` reaches the sink (check before formatting). @threadsafe
[[nodiscard]] bool log_enabled(log_level level) noexcept;

/// Sends `msg="<text>"` to the sink if `level` is enabled; for the library's other layers and
/// for extensions that report through the same hook. Never throws. @threadsafe
void write_log(log_level level, std::string_view text) noexcept;

/// One field of a structured line.
struct log_field {
  std::string_view key;
  std::string_view value;
};

/// Sends `event=<event> key=value ...` to the sink if `level` is enabled. Never throws.
/// @threadsafe
void write_event(log_level level, std::string_view event,
                 std::initializer_list<log_field> fields) noexcept;

}  // namespace hollywood::actor
