// SPDX-License-Identifier: MIT
// idle: 10^4 actors that each handled one payload; process CPU time while the engine idles.
#include "workloads.hpp"

#include <atomic>
#include <thread>

namespace hollywood::bench {

std::vector<metric> run_idle(const options& opt) {
  const std::uint64_t count = 10'000;
  const auto idle_for = std::chrono::seconds(opt.quick ? 1 : 2);
  auto e = make_engine(opt);
  std::atomic<std::uint64_t> seen{0};
  std::atomic<std::uint64_t> sum{0};
  finish_line finish(static_cast<std::ptrdiff_t>(count));
  std::vector<actor::pid> actors;
  actors.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    actors.push_back(e->spawn_fn(
        [&](actor::context& ctx) {
          if (auto* p = ctx.get_if<payload>()) {
            sum.fetch_add(p->value, std::memory_order_relaxed);
            seen.fetch_add(1, std::memory_order_relaxed);
            finish.done();
          }
        },
        "sleeper"));
  }
  for (std::uint64_t i = 0; i < count; ++i)
    e->send(actors[i], payload{i + 1});
  finish.wait();
  const double cpu_before = cpu_seconds();
  const auto wall_before = bench_clock::now();
  std::this_thread::sleep_for(idle_for);  // the measurement itself: wall time spent idling
  const double cpu_after = cpu_seconds();
  const auto wall_after = bench_clock::now();
  std::string failure;
  if (seen.load() != count || sum.load() != triangle(count)) {
    failure = "handled " + std::to_string(seen.load()) + " of " + std::to_string(count);
  }
  const double percent = (cpu_after - cpu_before) / seconds_between(wall_before, wall_after) * 100;
  return {metric{"idle", percent, "%", "lower", check_text(failure)}};
}

}  // namespace hollywood::bench
