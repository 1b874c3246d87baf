// SPDX-License-Identifier: MIT
#pragma once

/// The library's logging hook. Everything the engine reports asynchronously (refused spawns,
/// dead letters nobody subscribed to, crashes in `stopped`) goes through one sink, which by
/// default writes warnings and errors to stderr. Replace it to route into your own logging:
///
///   hollywood::actor::set_log_sink([](log_level lvl, std::string_view text) { my_log(lvl, text);
///   });

#include <cstdint>
#include <functional>
#include <string_view>

namespace hollywood::actor {

enum class log_level : std::uint8_t { debug, info, warn, error };

/// Receives one formatted line (without a trailing newline). Called from any thread.
using log_sink = std::function<void(log_level, std::string_view)>;

/// Installs `sink` (an empty function restores the default). @threadsafe
void set_log_sink(log_sink sink);

/// Sets the lowest level passed to the sink (default: `warn`). @threadsafe
void set_log_level(log_level level) noexcept;

/// Returns whether `level` reaches the sink (check before formatting). @threadsafe
[[nodiscard]] bool log_enabled(log_level level) noexcept;

/// Sends one line to the sink if `level` is enabled; for the library's other layers and for
/// extensions that report through the same hook. Never throws. @threadsafe
void write_log(log_level level, std::string_view text) noexcept;

}  // namespace hollywood::actor
