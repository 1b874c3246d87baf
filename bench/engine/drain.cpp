// SPDX-License-Identifier: MIT
// drain: one actor handles N payloads that were queued while it was held, so the receiving side's
// cost per message is measured alone (no sender racing it); drain-metrics: the same with the
// handler-latency middleware on the actor.
#include "workloads.hpp"

#include <latch>

namespace hollywood::bench {

namespace {

std::vector<metric> drain(const options& opt, const char* name,
                          const actor::spawn_options& receiver_options) {
  // Every message waits in the inbox at once (a cache line each): 256 MB at the full size.
  const std::uint64_t total = opt.quick ? 1'000'000 : 4'000'000;
  // The actor is held while the messages are queued, so a backing-off sender would wait out its
  // budget on every send (~5 us each: 20 s to queue the full size) for a receiver that cannot
  // catch up. The drain measured after it is the same either way.
  auto e =
      make_engine(opt, actor::engine_config{}.with_sender_backoff(actor::sender_backoff::none));
  std::latch hold(1);
  finish_line finish;
  actor::pid target = e->spawn_fn(
      [&, count = std::uint64_t{0}, sum = std::uint64_t{0}](actor::context& ctx) mutable {
        if (ctx.is<go>()) {
          hold.wait();  // everything is queued behind this message when it returns
          finish.start = bench_clock::now();
        } else if (auto* p = ctx.get_if<payload>()) {
          sum += p->value;
          if (++count == total) {
            finish.at = bench_clock::now();
            if (sum != triangle(total)) finish.failure = "wrong sum " + std::to_string(sum);
            finish.done();
          }
        }
      },
      "drain", receiver_options);
  e->send(target, go{});
  for (std::uint64_t i = 1; i <= total; ++i)
    e->send(target, payload{i});
  hold.count_down();
  finish.wait();
  const double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(total);
  return {metric{name, ns, "ns/msg", "lower", check_text(finish.failure)}};
}

}  // namespace

std::vector<metric> run_drain(const options& opt) {
  return drain(opt, "drain", {});
}

std::vector<metric> run_drain_metrics(const options& opt) {
  return with_handler_latency(
      [&](const actor::spawn_options& o) { return drain(opt, "drain-metrics", o); });
}

}  // namespace hollywood::bench
