// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace hollywood::actor {

namespace {

std::atomic<log_level> min_level{log_level::warn};
std::mutex sink_mu;
log_sink& sink() {
  static log_sink s;
  return s;
}

std::string_view level_name(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "?";
}

}  // namespace

void set_log_sink(log_sink s) {
  std::lock_guard lock(sink_mu);
  sink() = std::move(s);
}

void set_log_level(log_level level) noexcept {
  min_level.store(level, std::memory_order_relaxed);
}

bool log_enabled(log_level level) noexcept {
  return level >= min_level.load(std::memory_order_relaxed);
}

void write_log(log_level level, std::string_view text) noexcept {
  detail::log(level, text);
}

namespace detail {

void log(log_level level, std::string_view text) noexcept {
  if (!log_enabled(level)) return;
  try {
    std::lock_guard lock(sink_mu);
    if (sink()) {
      sink()(level, text);
    } else {
      std::fprintf(stderr, "hollywood %.*s: %.*s\n", static_cast<int>(level_name(level).size()),
                   level_name(level).data(), static_cast<int>(text.size()), text.data());
    }
  } catch (...) {
    // A throwing sink loses its line, never the caller's work.
  }
}

void log_dead_letter(const pid& target, const message& m, dead_letter_reason reason,
                     std::string_view detail) noexcept {
  // A token bucket: 5 lines per second, then one summary line with the count suppressed.
  static std::mutex mu;
  static std::chrono::steady_clock::time_point window;
  static int lines = 0;
  static std::uint64_t suppressed = 0;
  if (!log_enabled(log_level::warn)) return;
  std::string line;
  try {
    std::lock_guard lock(mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - window >= std::chrono::seconds(1)) {
      if (suppressed != 0) {
        log(log_level::warn, std::to_string(suppressed) + " more dead letters not logged");
      }
      window = now;
      lines = 0;
      suppressed = 0;
    }
    if (++lines > 5) {
      ++suppressed;
      return;
    }
    line = "dead letter to " + target.to_string() + " (" + std::string(to_string(reason)) +
           "): " + std::string(m.type_name());
    if (!detail.empty()) line += std::string(" - ") + std::string(detail);
  } catch (...) {
    return;
  }
  log(log_level::warn, line);
}

}  // namespace detail

}  // namespace hollywood::actor
