// SPDX-License-Identifier: MIT
// engine::stats per kind and per worker, dead letters by reason, and collect_metrics.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/wait.hpp>
#include <latch>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;
using hollywood::test::wait_until;

struct work {};
struct boom {};

std::unique_ptr<engine> make_engine(std::size_t workers = 2) {
  return engine::create(engine_config{}.with_workers(workers)).value();
}

kind_stats of_kind(const engine& e, std::string_view kind) {
  for (const auto& k : e.stats().per_kind) {
    if (k.kind == kind) return k;
  }
  return {};
}

/// Keeps every series a collection reports, as "name{k=v,...}" -> value.
class recording_sink final : public metric_sink {
 public:
  void declare(std::string_view name, std::string_view, metric_type type) override {
    types[std::string(name)] = type;
  }
  void counter(std::string_view name, std::string_view help, metric_labels labels,
               double value) override {
    add(name, help, metric_type::counter, labels, value);
  }
  void gauge(std::string_view name, std::string_view help, metric_labels labels,
             double value) override {
    add(name, help, metric_type::gauge, labels, value);
  }
  void histogram(std::string_view name, std::string_view help, metric_labels labels,
                 std::span<const double>, std::span<const std::uint64_t> counts, double) override {
    std::uint64_t n = 0;
    for (auto c : counts)
      n += c;
    add(name, help, metric_type::histogram, labels, static_cast<double>(n));
  }

  std::map<std::string, metric_type> types;
  std::map<std::string, double> series;

 private:
  void add(std::string_view name, std::string_view help, metric_type type, metric_labels labels,
           double value) {
    EXPECT_FALSE(help.empty()) << name;
    types[std::string(name)] = type;
    std::string key(name);
    key += '{';
    for (const auto& l : labels) {
      key += std::string(l.name) + '=' + std::string(l.value) + ',';
    }
    key += '}';
    series[key] = value;
  }
};

TEST(engine_metrics, processed_counts_per_kind_survive_the_actors_that_stop) {
  auto e = make_engine();
  std::vector<pid> workers;
  for (int i = 0; i < 3; ++i)
    workers.push_back(e->spawn_fn([](context&) {}, "worker"));
  for (const pid& w : workers) {
    for (int i = 0; i < 10; ++i)
      e->send(w, work{});
  }
  e->poison(workers[0]).wait();
  e->poison(workers[1]).wait();
  ASSERT_TRUE(wait_until([&] { return of_kind(*e, "worker").processed == 30; }));
  const kind_stats k = of_kind(*e, "worker");
  EXPECT_EQ(k.actors, 1u);
  e->poison(workers[2]).wait();
  const kind_stats gone = of_kind(*e, "worker");
  EXPECT_EQ(gone.actors, 0u);
  EXPECT_EQ(gone.processed, 30u) << "a kind's total never goes down as its actors stop";
}

TEST(engine_metrics, a_child_is_counted_under_its_own_kind) {
  auto e = make_engine();
  std::latch spawned(1);
  pid parent = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<started>()) {
          ctx.spawn_child_fn([](context&) {}, "child");
          spawned.count_down();
        }
      },
      "parent");
  spawned.wait();
  const auto s = e->stats();
  std::map<std::string, std::size_t> live;
  for (const auto& k : s.per_kind)
    live[k.kind] = k.actors;
  EXPECT_EQ(live["parent"], 1u);
  EXPECT_EQ(live["child"], 1u);
  e->poison(parent).wait();
}

TEST(engine_metrics, inbox_depth_per_kind_is_the_sum_and_the_deepest) {
  auto e = make_engine();
  std::latch release(1);
  std::atomic<int> blocked{0};
  auto blocker = [&](context& ctx) {
    if (ctx.is<work>()) {
      blocked.fetch_add(1);
      release.wait();  // holds the worker until the test has looked
    }
  };
  pid a = e->spawn_fn(blocker, "queue");
  pid b = e->spawn_fn(blocker, "queue");
  e->send(a, work{});
  e->send(b, work{});
  ASSERT_TRUE(wait_until([&] { return blocked.load() == 2; }));
  for (int i = 0; i < 5; ++i)
    e->send(a, work{});
  for (int i = 0; i < 2; ++i)
    e->send(b, work{});
  // A message leaves its inbox once handled: the one each actor is stuck in still counts.
  const kind_stats k = of_kind(*e, "queue");
  EXPECT_EQ(k.inbox_depth_sum, 9u);
  EXPECT_EQ(k.inbox_depth_max, 6u);
  release.count_down();
  // The worker publishes how far it consumed once per batch, after handling the batch's messages,
  // so `processed` can reach 9 a moment before the depth reaches 0.
  ASSERT_TRUE(wait_until([&] {
    const kind_stats after = of_kind(*e, "queue");
    return after.processed == 9 && after.inbox_depth_sum == 0 && after.inbox_depth_max == 0;
  })) << "depth "
      << of_kind(*e, "queue").inbox_depth_sum;
}

TEST(engine_metrics, restarts_and_max_restarts_are_counted_per_kind_and_dead_letters_by_reason) {
  auto e = make_engine();
  pid fragile = e->spawn_fn(
      [](context& ctx) {
        if (ctx.is<boom>()) throw std::runtime_error("boom");
      },
      "fragile", spawn_options{}.with_max_restarts(2).with_restart_delay(0ms));
  for (int i = 0; i < 3; ++i)
    e->send(fragile, boom{});
  // Counted when the limit is hit; the actor leaves the registry a moment later.
  ASSERT_TRUE(wait_until([&] {
    const kind_stats k = of_kind(*e, "fragile");
    return k.max_restarts_exceeded == 1 && k.actors == 0;
  }));
  EXPECT_EQ(of_kind(*e, "fragile").restarts, 2u);
  e->send(pid("local", "nobody/1"), work{});
  const auto s = e->stats();
  const auto reason = [&](dead_letter_reason r) {
    return s.dead_letters_by_reason[static_cast<std::size_t>(r)];
  };
  EXPECT_EQ(reason(dead_letter_reason::crashed), 3u);
  EXPECT_EQ(reason(dead_letter_reason::unknown_target), 1u);
  std::uint64_t total = 0;
  for (auto n : s.dead_letters_by_reason)
    total += n;
  EXPECT_EQ(total, s.dead_letters);
  EXPECT_EQ(s.max_restarts_exceeded, 1u);
}

TEST(engine_metrics, worker_time_is_busy_while_an_actor_runs_and_never_goes_down) {
  auto e = make_engine(1);
  std::atomic<bool> stop{false};
  pid spinner = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<work>()) {
          while (!stop.load()) {
            // holds the only worker busy until the test saw it
          }
        }
      },
      "spinner");
  const auto before = e->stats().per_worker.at(0);
  e->send(spinner, work{});
  ASSERT_TRUE(wait_until([&] {
    return e->stats().per_worker.at(0).busy - before.busy >= std::chrono::milliseconds(200);
  }));
  stop.store(true);
  const auto during = e->stats().per_worker.at(0);
  EXPECT_GE(during.busy_ratio, 0.0);
  EXPECT_LE(during.busy_ratio, 1.0);
  // Idle once the spinner is done: the idle total grows, the busy total stays where it was.
  auto idle_for = [&](const worker_stats& from, std::chrono::milliseconds d) {
    return wait_until([&] { return e->stats().per_worker.at(0).idle - from.idle >= d; });
  };
  ASSERT_TRUE(idle_for(during, 50ms));
  const auto after = e->stats().per_worker.at(0);
  EXPECT_GE(after.busy, during.busy);
  // Two ratio windows and a bit: a whole window then began and ended while it was parked.
  ASSERT_TRUE(idle_for(after, 2 * busy_ratio_window + 200ms));
  const auto later = e->stats().per_worker.at(0);
  EXPECT_LT(later.busy - after.busy, 5ms) << "a parked worker is idle";
  EXPECT_LT(later.busy_ratio, 0.1);
}

TEST(engine_metrics, collect_metrics_reports_every_family_with_kind_reason_and_worker_labels) {
  auto e = make_engine();
  pid echo = e->spawn_fn([](context&) {}, "echo");
  e->send(echo, work{});
  ASSERT_TRUE(wait_until([&] { return of_kind(*e, "echo").processed == 1; }));
  recording_sink sink;
  e->collect_metrics(sink);
  for (const char* counter :
       {"hollywood_actor_messages_processed_total", "hollywood_actor_restarts_total",
        "hollywood_actor_max_restarts_exceeded_total", "hollywood_dead_letters_total",
        "hollywood_scheduler_worker_busy_seconds_total", "hollywood_sender_backoffs_total"}) {
    EXPECT_EQ(sink.types[counter], metric_type::counter) << counter;
  }
  for (const char* gauge :
       {"hollywood_actors", "hollywood_actor_inbox_depth", "hollywood_actor_inbox_depth_max",
        "hollywood_scheduler_workers", "hollywood_scheduler_worker_busy_ratio"}) {
    EXPECT_EQ(sink.types[gauge], metric_type::gauge) << gauge;
  }
  EXPECT_EQ(sink.series["hollywood_actor_messages_processed_total{kind=echo,}"], 1);
  EXPECT_EQ(sink.series["hollywood_actors{kind=echo,}"], 1);
  EXPECT_EQ(sink.series.count("hollywood_dead_letters_total{reason=maybe_delivered,}"), 1u)
      << "every reason is listed, so alerts see a 0 before the first one";
  EXPECT_EQ(sink.series["hollywood_scheduler_workers{}"], 2);
  EXPECT_EQ(sink.series.count("hollywood_scheduler_worker_busy_seconds_total{worker=1,}"), 1u);
  EXPECT_EQ(sink.series.count("hollywood_sender_backoffs_total{}"), 1u);
}

TEST(engine_metrics, running_answers_a_health_check_until_shutdown_begins) {
  auto e = make_engine();
  EXPECT_TRUE(e->running());
  e->shutdown();
  EXPECT_FALSE(e->running());
}

}  // namespace
