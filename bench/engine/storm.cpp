// SPDX-License-Identifier: MIT
// storm: 2000 actors, 20 plain sender threads sending to random actors for D seconds; then every
// actor reports what it received (the report is queued behind all of the senders' messages).
#include "workloads.hpp"

#include <cstdio>
#include <thread>

namespace hollywood::bench {

namespace {

constexpr std::size_t actor_count = 2000;
constexpr std::size_t sender_count = 20;

struct report {};
struct totals {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

}  // namespace

std::vector<metric> run_storm(const options& opt) {
  const auto duration = std::chrono::seconds(opt.quick ? 2 : 10);
  auto e = make_engine(opt);
  finish_line finish;
  totals received;
  actor::pid collector = e->spawn_fn(
      [&, reports = std::size_t{0}, acc = totals{}](actor::context& ctx) mutable {
        if (auto* t = ctx.get_if<totals>()) {
          acc.count += t->count;
          acc.sum += t->sum;
          if (++reports == actor_count) {
            finish.at = bench_clock::now();
            received = acc;
            finish.done();
          }
        }
      },
      "collector");
  std::vector<actor::pid> actors;
  for (std::size_t i = 0; i < actor_count; ++i) {
    actors.push_back(e->spawn_fn(
        [collector, mine = totals{}](actor::context& ctx) mutable {
          if (auto* p = ctx.get_if<payload>()) {
            mine.sum += p->value;
            ++mine.count;
          } else if (ctx.is<report>()) {
            ctx.send(collector, mine);
          }
        },
        "sink"));
  }
  std::vector<totals> sent(sender_count);
  start_gate gate(static_cast<std::ptrdiff_t>(sender_count));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < sender_count; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t rng = 0x5eed0000ULL + t;
      totals mine;
      gate.arrive_and_wait();
      const auto stop_at = gate.opened_at() + duration;
      for (;;) {
        if ((mine.count & 63) == 0 && bench_clock::now() >= stop_at) break;
        const std::uint64_t r = next_random(rng);
        const std::uint64_t index = ((r >> 32) * actor_count) >> 32;  // uniform in [0, 2000)
        const std::uint64_t value = (r & 0xffff) + 1;
        e->send(actors[index], payload{value});
        ++mine.count;
        mine.sum += value;
      }
      sent[t] = mine;
    });
  }
  const auto start = gate.release();
  for (auto& th : threads)
    th.join();
  for (const auto& a : actors)
    e->send(a, report{});
  finish.wait();
  totals total_sent;
  for (const auto& s : sent) {
    total_sent.count += s.count;
    total_sent.sum += s.sum;
  }
  std::string failure;
  if (received.count != total_sent.count || received.sum != total_sent.sum) {
    failure = "received " + std::to_string(received.count) + " of " +
              std::to_string(total_sent.count) + " sent";
  }
  std::fprintf(stderr,
               "storm: sent %llu messages in %.3f s, drained after %.3f s, peak RSS %.1f MiB\n",
               static_cast<unsigned long long>(total_sent.count),
               std::chrono::duration<double>(duration).count(), seconds_between(start, finish.at),
               static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0));
  return {metric{"storm", static_cast<double>(received.count) / seconds_between(start, finish.at),
                 "msgs/s", "higher", check_text(failure)}};
}

}  // namespace hollywood::bench
