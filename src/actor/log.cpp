// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace hollywood::actor {

namespace {

std::atomic<log_level> min_level{log_level::warn};
std::mutex sink_mu;  // one line at a time reaches the sink

log_sink& user_sink() {
  static log_sink s;
  return s;
}

/// The default sink: spdlog on stderr, not registered in spdlog's global registry so it never
/// clashes with the application's own loggers.
spdlog::logger& default_logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("hollywood",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %v");
    l->set_level(spdlog::level::trace);  // the library filters by its own level first
    return l;
  }();
  return *logger;
}

spdlog::level::level_enum spdlog_level(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warn:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

bool needs_quotes(std::string_view v) noexcept {
  if (v.empty()) return true;
  for (const char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (const char c : v) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
  }
  out.push_back('"');
}

void emit(log_level level, const std::string& line) noexcept {
  try {
    std::lock_guard lock(sink_mu);
    if (user_sink()) {
      user_sink()(level, line);
    } else {
      default_logger().log(spdlog_level(level), "level={} {}", to_string(level), line);
    }
  } catch (...) {
    // A throwing sink loses its line, never the caller's work.
  }
}

constexpr std::string_view limited_name(detail::limited_event e) noexcept {
  switch (e) {
    case detail::limited_event::dead_letter:
      return "dead_letter";
    case detail::limited_event::actor_restart:
      return "actor_restart";
    case detail::limited_event::actor_max_restarts_exceeded:
      return "actor_max_restarts_exceeded";
  }
  return "?";
}

log_level level_of(detail::limited_event e) noexcept {
  return e == detail::limited_event::dead_letter ? log_level::warn : log_level::error;
}

/// The line that accounts for `n` suppressed lines of `e`.
void report_suppressed(detail::limited_event e, std::uint64_t n) noexcept {
  if (n == 0) return;
  try {
    const std::string count = std::to_string(n);
    write_event(level_of(e), "log_suppressed", {{"what", limited_name(e)}, {"count", count}});
  } catch (...) {
    // Out of memory for the count: nothing else to do.
  }
}

}  // namespace

std::string_view to_string(log_level level) noexcept {
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

std::optional<log_level> parse_log_level(std::string_view name) noexcept {
  for (const auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error}) {
    if (name == to_string(l)) return l;
  }
  return std::nullopt;
}

void set_log_sink(log_sink s) {
  std::lock_guard lock(sink_mu);
  user_sink() = std::move(s);
}

void set_log_level(log_level level) noexcept {
  min_level.store(level, std::memory_order_relaxed);  // relaxed: publishes only itself
}

bool log_enabled(log_level level) noexcept {
  return level >= min_level.load(std::memory_order_relaxed);
}

void write_log(log_level level, std::string_view text) noexcept {
  detail::log(level, text);
}

void write_event(log_level level, std::string_view event,
                 std::initializer_list<log_field> fields) noexcept {
  if (!log_enabled(level)) return;
  try {
    std::string line = "event=";
    append_value(line, event);
    for (const log_field& f : fields) {
      line.push_back(' ');
      line.append(f.key);
      line.push_back('=');
      append_value(line, f.value);
    }
    emit(level, line);
  } catch (...) {
    // Out of memory while formatting: the line is lost, nothing else.
  }
}

namespace detail {

void log(log_level level, std::string_view text) noexcept {
  if (!log_enabled(level)) return;
  try {
    std::string line = "msg=";
    append_value(line, text);
    emit(level, line);
  } catch (...) {
    // Out of memory while formatting: the line is lost, nothing else.
  }
}

limited_log::limited_log() noexcept
    : limiters_{log_limiter(log_burst, std::chrono::seconds(1)),
                log_limiter(log_burst, std::chrono::seconds(1)),
                log_limiter(log_burst, std::chrono::seconds(1))} {}

bool limited_log::admit(limited_event event) noexcept {
  if (!log_enabled(level_of(event))) return false;
  const auto v = limiters_[static_cast<std::size_t>(event)].admit(log_limiter::clock::now());
  report_suppressed(event, v.suppressed);
  return v.admitted;
}

void limited_log::write(limited_event event, std::initializer_list<log_field> fields) noexcept {
  write_event(level_of(event), limited_name(event), fields);
}

void limited_log::flush() noexcept {
  for (std::size_t i = 0; i < limiters_.size(); ++i) {
    report_suppressed(static_cast<limited_event>(i), limiters_[i].take_suppressed());
  }
}

}  // namespace detail

}  // namespace hollywood::actor
