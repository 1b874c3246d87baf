// SPDX-License-Identifier: MIT
// idle: 10^4 actors that have each handled one payload; measure process CPU time while idling.
#include "common.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <thread>

namespace cafbench {

namespace {

struct handled {
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum{0};
};

caf::behavior sleeper(caf::event_based_actor*, handled* seen, finish_line* finish) {
  return {
      [=](payload value) {
        seen->sum.fetch_add(value, std::memory_order_relaxed);
        seen->count.fetch_add(1, std::memory_order_relaxed);
        finish->done();
      },
  };
}

}  // namespace

std::vector<metric> run_idle(caf::actor_system& sys, const options& opt) {
  const std::uint64_t count = 10'000;
  const auto idle_for = std::chrono::seconds(opt.quick ? 1 : 2);
  handled seen;
  finish_line finish(static_cast<std::ptrdiff_t>(count));
  std::vector<caf::actor> actors;
  actors.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i)
    actors.push_back(sys.spawn(sleeper, &seen, &finish));
  for (std::uint64_t i = 0; i < count; ++i)
    caf::anon_send(actors[i], payload{i + 1});
  finish.wait();

  const double cpu_before = hollywood::bench::cpu_seconds();
  const auto wall_before = bench_clock::now();
  std::this_thread::sleep_for(idle_for);
  const double cpu_after = hollywood::bench::cpu_seconds();
  const auto wall_after = bench_clock::now();

  std::string failure;
  if (seen.count.load() != count || seen.sum.load() != count * (count + 1) / 2) {
    failure = "handled " + std::to_string(seen.count.load()) + " of " + std::to_string(count);
  }
  const double percent = (cpu_after - cpu_before) / seconds_between(wall_before, wall_after) * 100;
  for (const auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return {metric{"idle", percent, "%", "lower", check_text(failure)}};
}

}  // namespace cafbench
