// SPDX-License-Identifier: MIT
// skynet: a tree of actors, 10 children per node; leaves reply their ordinal, parents sum.
#include "workloads.hpp"

namespace hollywood::bench {

namespace {

constexpr std::uint64_t fan_out = 10;

actor::producer node(actor::pid parent, std::uint64_t first, std::uint64_t leaves) {
  return actor::make_fn_producer([parent, first, leaves, replies = std::uint64_t{0},
                                  sum = std::uint64_t{0}](actor::context& ctx) mutable {
    if (ctx.is<actor::started>()) {
      if (leaves == 1) {
        ctx.send(parent, payload{first});
        ctx.stop(ctx.self());
        return;
      }
      const std::uint64_t per_child = leaves / fan_out;
      const actor::pid self = ctx.self();
      for (std::uint64_t i = 0; i < fan_out; ++i) {
        ctx.engine().spawn(node(self, first + i * per_child, per_child), "node");
      }
    } else if (auto* p = ctx.get_if<payload>()) {
      sum += p->value;
      if (++replies == fan_out) {
        ctx.send(parent, payload{sum});
        ctx.stop(ctx.self());
      }
    }
  });
}

}  // namespace

std::vector<metric> run_skynet(const options& opt) {
  const int levels = opt.quick ? 5 : 6;
  std::uint64_t leaves = 1;
  for (int i = 0; i < levels; ++i)
    leaves *= fan_out;
  const std::uint64_t expected = leaves * (leaves - 1) / 2;
  auto e = make_engine(opt);
  const auto start = bench_clock::now();
  e->spawn(node(e->root(), 0, leaves), "node");
  auto reply = e->receive(std::chrono::seconds(100));
  const auto stop = bench_clock::now();
  std::string failure;
  if (!reply) {
    failure = "no result";
  } else if (reply->msg.get<payload>().value != expected) {
    failure = "wrong sum " + std::to_string(reply->msg.get<payload>().value);
  }
  const double peak_mb = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);
  return {metric{"skynet", seconds_between(start, stop), "s", "lower", check_text(failure)},
          metric{"skynet-peak-rss", peak_mb, "MB", "lower", check_text(failure)}};
}

}  // namespace hollywood::bench
