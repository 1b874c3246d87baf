// SPDX-License-Identifier: MIT
// pairs: 4 ping/echo pairs, 100 payloads in flight per pair, M sends per pinger.
#include "workloads.hpp"

#include <algorithm>

namespace hollywood::bench {

namespace {

constexpr std::uint64_t pair_count = 4;
constexpr std::uint64_t in_flight = 100;

struct pair_result {
  bench_clock::time_point at{};
  std::string failure;
};

}  // namespace

std::vector<metric> run_pairs(const options& opt) {
  const std::uint64_t sends = opt.quick ? 500'000 : 2'500'000;
  auto e = make_engine(opt);
  finish_line finish(static_cast<std::ptrdiff_t>(pair_count));
  std::vector<pair_result> results(pair_count);
  std::vector<actor::pid> pingers;
  for (std::uint64_t p = 0; p < pair_count; ++p) {
    actor::pid echo = e->spawn_fn(
        [](actor::context& ctx) {
          if (auto* m = ctx.get_if<payload>()) ctx.respond(*m);
        },
        "echo");
    pingers.push_back(e->spawn_fn(
        [&, echo, result = &results[p], sent = std::uint64_t{0}, received = std::uint64_t{0},
         sum = std::uint64_t{0}](actor::context& ctx) mutable {
          if (ctx.is<go>()) {
            while (sent < std::min(in_flight, sends))
              ctx.send(echo, payload{++sent});
          } else if (auto* m = ctx.get_if<payload>()) {
            sum += m->value;
            if (sent < sends) ctx.send(echo, payload{++sent});
            if (++received == sends) {
              result->at = bench_clock::now();
              if (sum != triangle(sends)) result->failure = "wrong echo sum " + std::to_string(sum);
              finish.done();
            }
          }
        },
        "pinger"));
  }
  const auto start = bench_clock::now();
  for (const auto& p : pingers)
    e->send(p, go{});
  finish.wait();
  auto stop = start;
  std::string failure;
  for (const auto& r : results) {
    stop = std::max(stop, r.at);
    if (failure.empty()) failure = r.failure;
  }
  const double messages = static_cast<double>(2 * pair_count * sends);
  return {metric{"pairs", messages / seconds_between(start, stop), "msgs/s", "higher",
                 check_text(failure)}};
}

}  // namespace hollywood::bench
