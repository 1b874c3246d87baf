// SPDX-License-Identifier: MIT
// The logging hook: logfmt lines, levels, and the rate limit of crash, restart and dead-letter
// lines with the count of what it suppressed.
#include <hollywood/actor.hpp>
#include <hollywood/actor/log.hpp>

#include "log_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <hollywood_test/wait.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::wait_until;

struct boom {};
struct ping {};

/// Captures every line sent to the sink while it lives.
class captured_log {
 public:
  explicit captured_log(log_level level = log_level::debug) {
    set_log_level(level);
    set_log_sink([this](log_level l, std::string_view text) {
      std::lock_guard lock(mu_);
      lines_.push_back({l, std::string(text)});
    });
  }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;
  ~captured_log() {
    set_log_sink({});
    set_log_level(log_level::warn);
  }

  struct line {
    log_level level;
    std::string text;
  };

  /// Lines that contain `part`.
  std::vector<line> with(std::string_view part) const {
    std::lock_guard lock(mu_);
    std::vector<line> out;
    for (const auto& l : lines_) {
      if (l.text.find(part) != std::string::npos) out.push_back(l);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<line> lines_;
};

/// The value of `key=` in a logfmt line (unquoted values only).
std::string field(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=");
  if (at == std::string::npos) return {};
  const auto from = at + key.size() + 1;
  return line.substr(from, line.find(' ', from) - from);
}

TEST(log_limiter, admits_a_burst_per_window_and_hands_over_the_suppressed_count_once) {
  using clock = std::chrono::steady_clock;
  hollywood::actor::detail::log_limiter limit(3, 1s);
  const clock::time_point t0 = clock::now();
  int admitted = 0;
  for (int i = 0; i < 10; ++i) {
    const auto v = limit.admit(t0 + std::chrono::milliseconds(i));
    admitted += v.admitted ? 1 : 0;
    EXPECT_EQ(v.suppressed, 0u) << "nothing to report inside the first window";
  }
  EXPECT_EQ(admitted, 3);
  const auto next = limit.admit(t0 + 1s);
  EXPECT_TRUE(next.admitted);
  EXPECT_EQ(next.suppressed, 7u) << "the next window's first line reports what was suppressed";
  EXPECT_EQ(limit.admit(t0 + 1s + 1ms).suppressed, 0u) << "and only once";
  for (int i = 0; i < 5; ++i)  // the window's third line, then four over the burst
    (void)limit.admit(t0 + 1s + 2ms);
  EXPECT_EQ(limit.take_suppressed(), 4u);
  EXPECT_EQ(limit.take_suppressed(), 0u);
}

TEST(log, lines_are_logfmt_with_quoted_values_and_filtered_by_level) {
  captured_log log(log_level::info);
  write_event(log_level::info, "test_event", {{"plain", "v1"}, {"spaced", "a \"b\" c"}});
  write_log(log_level::debug, "below the level");
  write_log(log_level::warn, "free text");
  const auto events = log.with("event=test_event");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, R"(event=test_event plain=v1 spaced="a \"b\" c")");
  EXPECT_TRUE(log.with("below the level").empty());
  const auto text = log.with("free text");
  ASSERT_EQ(text.size(), 1u);
  EXPECT_EQ(text[0].text, R"(msg="free text")");
  EXPECT_EQ(text[0].level, log_level::warn);
  EXPECT_EQ(parse_log_level("error"), log_level::error);
  EXPECT_FALSE(parse_log_level("loud"));
}

TEST(log, the_default_sink_writes_a_timestamped_line_with_its_level_to_stderr) {
  set_log_level(log_level::info);
  testing::internal::CaptureStderr();
  write_event(log_level::info, "default_sink_check", {{"answer", "42"}});
  const std::string out = testing::internal::GetCapturedStderr();
  set_log_level(log_level::warn);
  // "2026-11-21T14:32:07.114+00:00 level=info event=default_sink_check answer=42"
  EXPECT_NE(out.find(" level=info event=default_sink_check answer=42\n"), std::string::npos) << out;
  EXPECT_EQ(out.find('T'), 10u) << "an ISO 8601 time first: " << out;
}

TEST(log, restarts_and_max_restarts_are_errors_with_their_fields) {
  captured_log log;
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  pid fragile = e->spawn_fn(
      [](context& ctx) {
        if (ctx.is<boom>()) throw std::runtime_error("broken on purpose");
      },
      "fragile", spawn_options{}.with_max_restarts(1).with_restart_delay(0ms));
  e->send(fragile, boom{});
  e->send(fragile, boom{});
  ASSERT_TRUE(wait_until([&] { return !log.with("event=actor_max_restarts_exceeded").empty(); }));
  const auto restart = log.with("event=actor_restart ");
  ASSERT_EQ(restart.size(), 1u);
  EXPECT_EQ(restart[0].level, log_level::error);
  EXPECT_EQ(field(restart[0].text, "kind"), "fragile");
  EXPECT_EQ(field(restart[0].text, "restart"), "1");
  EXPECT_EQ(field(restart[0].text, "max_restarts"), "1");
  EXPECT_EQ(field(restart[0].text, "delay_ms"), "0");
  EXPECT_NE(restart[0].text.find(R"(reason="std::runtime_error: broken on purpose")"),
            std::string::npos)
      << restart[0].text;
  const auto exceeded = log.with("event=actor_max_restarts_exceeded");
  EXPECT_EQ(exceeded[0].level, log_level::error);
  EXPECT_EQ(field(exceeded[0].text, "actor"), fragile.to_string());
}

TEST(log, dead_letters_are_warnings_rate_limited_and_the_suppressed_count_is_reported) {
  constexpr int sent = 40;
  captured_log log;
  const auto started = std::chrono::steady_clock::now();
  {
    auto e = engine::create(engine_config{}.with_workers(1)).value();
    for (int i = 0; i < sent; ++i)
      e->send(pid("local", "nobody/1"), ping{});
    const auto lines = log.with("event=dead_letter ");
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].level, log_level::warn);
    EXPECT_EQ(field(lines[0].text, "target"), "local/nobody/1");
    EXPECT_EQ(field(lines[0].text, "reason"), "unknown_target");
    // Shutting down reports the burst's suppressed lines.
  }
  const auto windows =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count() +
      1;
  const auto lines = log.with("event=dead_letter ");
  EXPECT_LE(lines.size(), static_cast<std::size_t>(log_burst * windows))
      << "at most the burst per second";
  std::uint64_t suppressed = 0;
  for (const auto& s : log.with("event=log_suppressed what=dead_letter")) {
    EXPECT_EQ(s.level, log_level::warn);
    suppressed += std::stoull(field(s.text, "count"));
  }
  EXPECT_GT(suppressed, 0u);
  EXPECT_EQ(lines.size() + suppressed, static_cast<std::size_t>(sent))
      << "every dead letter is either logged or counted in a log_suppressed line";
}

}  // namespace
