// SPDX-License-Identifier: MIT
// many: spawn A actors, send each one payload, each replies to one collector; then all idle.
#include "workloads.hpp"

#include <thread>

namespace hollywood::bench {

std::vector<metric> run_many(const options& opt) {
  const std::uint64_t count = 100'000;  // the same in --quick mode
  auto e = make_engine(opt);
  finish_line finish;
  actor::pid sink = e->spawn_fn(
      [&, seen = std::uint64_t{0}, sum = std::uint64_t{0}](actor::context& ctx) mutable {
        if (auto* p = ctx.get_if<payload>()) {
          sum += p->value;
          if (++seen == count) {
            finish.at = bench_clock::now();
            if (sum != triangle(count)) finish.failure = "wrong sum " + std::to_string(sum);
            finish.done();
          }
        }
      },
      "collector");
  // Touch the handle array before the baseline so the per-actor figure covers only the actors.
  std::vector<actor::pid> actors(count);
  const std::size_t rss_before = rss_bytes();
  const auto spawn_start = bench_clock::now();
  for (auto& a : actors) {
    a = e->spawn_fn(
        [sink](actor::context& ctx) {
          if (auto* p = ctx.get_if<payload>()) ctx.send(sink, *p);
        },
        "worker");
  }
  const auto spawn_end = bench_clock::now();
  const auto send_start = bench_clock::now();
  for (std::uint64_t i = 0; i < count; ++i)
    e->send(actors[i], payload{i + 1});
  finish.wait();
  std::this_thread::sleep_for(idle_settle);  // "per idle actor": measured once the engine idles
  const std::size_t rss_after = rss_bytes();
  const std::string check = check_text(finish.failure);
  return {
      metric{"many-spawn", static_cast<double>(count) / seconds_between(spawn_start, spawn_end),
             "spawns/s", "higher", check},
      metric{"many-roundtrip", seconds_between(send_start, finish.at), "s", "lower", check},
      metric{"many-memory",
             (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
                 static_cast<double>(count),
             "bytes", "lower", check},
  };
}

}  // namespace hollywood::bench
