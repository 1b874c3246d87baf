// SPDX-License-Identifier: MIT
// `hollywood eventbus --demo`: the embedded broker, a producer of keyed events over many
// aggregates with per-aggregate sequence numbers (paced so no partition's backlog nears the
// mock broker's 5 MiB retention), and the bus with a handler that checks each aggregate's
// order. A live progress line while it runs; a summary at the end.
#include <hollywood/actor.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/eventbus.hpp>

#include "eventbus_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace hollywood::tools {

namespace {

using namespace std::chrono_literals;
namespace kafka = eventbus::kafka;
using demo_clock = std::chrono::steady_clock;

constexpr const char* demo_topic = "demo.orders";
/// Records the producer may be ahead of the handler: ~1 MB per partition at most.
constexpr std::uint64_t max_backlog = 40'000;
/// Simulated handler latency (asynchronous, a timer).
constexpr auto handler_latency = 1ms;

/// Per-aggregate order bookkeeping: the next sequence number each aggregate expects.
class order_check {
 public:
  explicit order_check(int aggregates) : next_(static_cast<std::size_t>(aggregates), 0) {}
  void see(std::size_t aggregate, std::uint64_t seq) {
    std::lock_guard lock(mu_);
    auto& next = next_[aggregate];
    if (seq == next) {
      ++next;
      handled_.fetch_add(1, std::memory_order_relaxed);
    } else if (seq < next) {
      ++duplicates_;
    } else {
      ++violations_;
      next = seq + 1;
      handled_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  /// Distinct records handled in order so far.
  [[nodiscard]] std::uint64_t handled() const noexcept {
    return handled_.load(std::memory_order_relaxed);
  }
  struct totals {
    std::uint64_t in_order = 0, violations = 0, duplicates = 0;
  };
  totals finish(const std::vector<std::uint64_t>& produced) const {
    std::lock_guard lock(mu_);
    totals t;
    for (std::size_t a = 0; a < next_.size(); ++a)
      t.in_order += std::min(next_[a], produced[a]);
    t.violations = violations_;
    t.duplicates = duplicates_;
    return t;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::uint64_t> next_;
  std::uint64_t violations_ = 0;
  std::uint64_t duplicates_ = 0;
  // relaxed: a progress figure; the mutex orders the bookkeeping.
  std::atomic<std::uint64_t> handled_{0};
};

struct finish_later {
  kafka::attempt_completion done;
};

/// "agg-17" -> 17; the envelope's "seq".
bool parse(const kafka::record& r, std::size_t& aggregate, std::uint64_t& seq) {
  const auto id = r.aggregate_id();
  if (id.size() < 5) return false;
  aggregate = std::stoul(std::string(id.substr(4)));
  const auto v = r.value();
  const auto at = v.find("\"seq\":");
  if (at == std::string_view::npos) return false;
  seq = std::stoull(std::string(v.substr(at + 6)));
  return true;
}

std::string rate(double per_second) {
  char buf[32];
  if (per_second >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1fk", per_second / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", per_second);
  }
  return buf;
}

}  // namespace

int run_demo(const demo_options& o) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  // The demo says itself where its broker runs; librdkafka's and the bus's notices would only
  // interleave with the progress line.
  actor::set_log_level(actor::log_level::error);
  auto e = actor::engine::create();
  if (!e) return 1;
  kafka::bus_config cfg;
  cfg.kafka.consumer.group_id = "demo";
  cfg.kafka.consumer.topics = {demo_topic};
  std::string problem;
  auto b = kafka::bus::create(**e, cfg, {}, &problem);
  if (!b) {
    std::fprintf(stderr, "hollywood eventbus: %s\n", problem.c_str());
    return 1;
  }
  kafka::bus& bus = **b;
  if (!o.json) {
    std::printf(
        "Kafka event bus demo: embedded broker at %s (librdkafka's mock cluster; records "
        "and offsets in memory only)\n%llu keyed events over %d aggregates, 4 partitions, "
        "pool of %zu actors, handler latency %lld ms (a timer)\n",
        bus.bootstrap_servers().c_str(), static_cast<unsigned long long>(o.records), o.aggregates,
        cfg.pool.size, static_cast<long long>(std::chrono::milliseconds(handler_latency).count()));
    std::fflush(stdout);
  }
  order_check order(o.aggregates);
  std::atomic<std::uint64_t> unparsable{0};
  const actor::pid finisher = (*e)->spawn_fn(
      [](actor::context& ctx) {
        if (auto* f = ctx.get_if<finish_later>()) f->done.succeed();
      },
      "demo-finisher");
  actor::engine& engine = **e;
  (void)bus.handle(demo_topic, [&](const kafka::record& r, kafka::attempt_completion done) {
    std::size_t aggregate = 0;
    std::uint64_t seq = 0;
    if (!parse(r, aggregate, seq) || aggregate >= static_cast<std::size_t>(o.aggregates)) {
      unparsable.fetch_add(1, std::memory_order_relaxed);
    } else {
      order.see(aggregate, seq);
    }
    engine.send_after(finisher, finish_later{std::move(done)}, handler_latency);
  });
  if (auto r = bus.start(); !r) {
    std::fprintf(stderr, "hollywood eventbus: cannot start: %s\n", r.error().message().c_str());
    return 1;
  }

  // The producer: round-robin over the aggregates, each with its own sequence, paced by how far
  // the handler is behind.
  std::vector<std::uint64_t> produced(static_cast<std::size_t>(o.aggregates), 0);
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> failed{0};
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < o.records; ++i) {
      while (i - order.handled() >= max_backlog)
        std::this_thread::sleep_for(1ms);  // pacing, not a wait for a result
      const auto a = static_cast<std::size_t>(i % static_cast<std::uint64_t>(o.aggregates));
      const std::string agg = "agg-" + std::to_string(a);
      const std::uint64_t seq = produced[a]++;
      const std::string value = R"({"aggregateId":")" + agg + R"(","seq":)" + std::to_string(seq) +
                                R"(,"amount":)" + std::to_string(i % 997) + "}";
      bus.publisher().publish(demo_topic, agg, value, {}, [&](expected<kafka::delivery_report> d) {
        if (!d) failed.fetch_add(1, std::memory_order_relaxed);
      });
      sent.fetch_add(1, std::memory_order_relaxed);
    }
  });

  // Progress until every produced record was handled (or nothing moves for 30 s).
  demo_clock::time_point first{};
  auto last_change = demo_clock::now();
  std::uint64_t last_handled = 0;
  while (order.handled() < o.records) {
    std::this_thread::sleep_for(250ms);  // the progress line's refresh period
    const auto now = demo_clock::now();
    const auto h = order.handled();
    if (h > 0 && first == demo_clock::time_point{}) first = now;
    if (h != last_handled) {
      last_handled = h;
      last_change = now;
    } else if (now - last_change > 30s) {
      break;
    }
    if (tty && !o.json && first != demo_clock::time_point{}) {
      const auto s = bus.stats();
      const double secs = std::chrono::duration<double>(now - first).count();
      std::fprintf(stderr, "\r  handled %llu/%llu  %s records/s  in flight %zu  lag %llu     ",
                   static_cast<unsigned long long>(h), static_cast<unsigned long long>(o.records),
                   rate(secs > 0 ? static_cast<double>(h) / secs : 0).c_str(), s.in_flight,
                   static_cast<unsigned long long>(s.lag));
      std::fflush(stderr);
    }
  }
  const auto end = demo_clock::now();
  producer.join();
  if (tty && !o.json) std::fprintf(stderr, "\r%100s\r", "");
  bus.stop();
  const auto s = bus.stats();
  const auto t = order.finish(produced);
  const double secs =
      first == demo_clock::time_point{} ? 0 : std::chrono::duration<double>(end - first).count();
  const std::uint64_t lost = o.records - t.in_order;
  const double per_second = secs > 0 ? static_cast<double>(t.in_order) / secs : 0;
  if (o.json) {
    nlohmann::json j = {{"records", o.records},
                        {"records_per_second", per_second},
                        {"order_violations", t.violations},
                        {"lost", lost},
                        {"duplicates", t.duplicates},
                        {"dlq", s.dead_lettered}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "\n  %-20s %llu\n  %-20s %s\n  %-20s %llu\n  %-20s %llu\n  %-20s %llu\n  %-20s "
        "%llu\n",
        "records", static_cast<unsigned long long>(o.records), "records/s",
        rate(per_second).c_str(), "order violations", static_cast<unsigned long long>(t.violations),
        "lost", static_cast<unsigned long long>(lost), "duplicates",
        static_cast<unsigned long long>(t.duplicates), "dead-lettered (DLQ)",
        static_cast<unsigned long long>(s.dead_lettered));
  }
  b->reset();
  (*e)->shutdown();
  return (t.violations == 0 && lost == 0 && failed.load() == 0 && unparsable.load() == 0) ? 0 : 1;
}

}  // namespace hollywood::tools
