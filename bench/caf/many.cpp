// SPDX-License-Identifier: MIT
// many: spawn A actors from the main thread, send each one payload, every actor replies to one
// collector, then all of them sit idle while RSS is measured.
#include "common.hpp"

#include <caf/all.hpp>

#include <thread>

namespace cafbench {

namespace {

caf::behavior worker(caf::event_based_actor* self, caf::actor collector) {
  return {
      [=](payload value) { self->send(collector, payload{value}); },
  };
}

struct collector_state {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

caf::behavior collector(caf::stateful_actor<collector_state>* self, std::uint64_t expected,
                        finish_line* finish) {
  return {
      [=](payload value) {
        auto& st = self->state;
        st.sum += value;
        if (++st.count == expected) {
          finish->at = bench_clock::now();
          if (st.sum != expected * (expected + 1) / 2) {
            finish->failure = "wrong reply sum " + std::to_string(st.sum);
          }
          finish->done();
          self->quit();
        }
      },
  };
}

}  // namespace

std::vector<metric> run_many(caf::actor_system& sys, const options& opt) {
  const std::uint64_t count = 100'000;  // the same in --quick mode
  (void)opt;
  finish_line finish;
  auto sink = sys.spawn(collector, count, &finish);
  // Touch the handle array before the baseline so the per-actor figure covers only the actors.
  std::vector<caf::actor> actors(count);
  const std::size_t rss_before = rss_bytes();

  auto spawn_start = bench_clock::now();
  for (auto& a : actors)
    a = sys.spawn(worker, sink);
  auto spawn_end = bench_clock::now();

  auto send_start = bench_clock::now();
  for (std::uint64_t i = 0; i < count; ++i)
    caf::anon_send(actors[i], payload{i + 1});
  finish.wait();
  std::this_thread::sleep_for(idle_settle);  // "per idle actor": measured once the system idles
  const std::size_t rss_after = rss_bytes();

  double spawn_rate = static_cast<double>(count) / seconds_between(spawn_start, spawn_end);
  double roundtrip = seconds_between(send_start, finish.at);
  double per_actor = (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
                     static_cast<double>(count);
  std::string check = check_text(finish.failure);
  // Dropping the handles makes the idle actors unreachable, which terminates them.
  return {
      metric{"many-spawn", spawn_rate, "spawns/s", "higher", check},
      metric{"many-roundtrip", roundtrip, "s", "lower", check},
      metric{"many-memory", per_actor, "bytes", "lower", check},
  };
}

}  // namespace cafbench
