// SPDX-License-Identifier: MIT
// pingpong: two actors, one payload in flight, R round trips.
#include "workloads.hpp"

namespace hollywood::bench {

std::vector<metric> run_pingpong(const options& opt) {
  const std::uint64_t round_trips = opt.quick ? 200'000 : 1'000'000;
  auto e = make_engine(opt);
  finish_line finish;
  actor::pid pong = e->spawn_fn(
      [](actor::context& ctx) {
        if (auto* p = ctx.get_if<payload>()) ctx.respond(*p);
      },
      "pong");
  actor::pid ping = e->spawn_fn(
      [&, pong, next = std::uint64_t{1}](actor::context& ctx) mutable {
        if (ctx.is<go>()) {
          finish.start = bench_clock::now();
          ctx.send(pong, payload{next});
        } else if (auto* p = ctx.get_if<payload>()) {
          if (p->value != next && finish.failure.empty()) {
            finish.failure =
                "round trip " + std::to_string(next) + " returned " + std::to_string(p->value);
          }
          if (next == round_trips) {
            finish.at = bench_clock::now();
            finish.done();
            return;
          }
          ctx.send(pong, payload{++next});
        }
      },
      "ping");
  e->send(ping, go{});
  finish.wait();
  const double ns =
      seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(round_trips);
  return {metric{"pingpong", ns, "ns", "lower", check_text(finish.failure)}};
}

}  // namespace hollywood::bench
