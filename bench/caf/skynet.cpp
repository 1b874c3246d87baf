// SPDX-License-Identifier: MIT
// skynet: a tree of event-based actors, 10 children per node, leaves reply their ordinal number,
// every inner node sums its 10 replies, reports to its parent and stops.
#include "common.hpp"

#include <caf/all.hpp>

namespace cafbench {

namespace {

constexpr std::uint64_t fan_out = 10;

struct node_state {
  std::uint64_t replies = 0;
  std::uint64_t sum = 0;
};

caf::behavior node(caf::stateful_actor<node_state>* self, caf::actor parent, std::uint64_t first,
                   std::uint64_t leaves) {
  if (leaves == 1) {
    self->send(parent, payload{first});
    self->quit();
    return {};
  }
  const std::uint64_t per_child = leaves / fan_out;
  for (std::uint64_t i = 0; i < fan_out; ++i) {
    self->spawn(node, caf::actor{self}, first + i * per_child, per_child);
  }
  return {
      [=](payload value) {
        auto& st = self->state;
        st.sum += value;
        if (++st.replies == fan_out) {
          self->send(parent, payload{st.sum});
          self->quit();
        }
      },
  };
}

}  // namespace

std::vector<metric> run_skynet(caf::actor_system& sys, const options& opt) {
  const int levels = opt.quick ? 5 : 6;
  std::uint64_t leaves = 1;
  for (int i = 0; i < levels; ++i)
    leaves *= fan_out;
  const std::uint64_t expected = leaves * (leaves - 1) / 2;

  std::uint64_t result = 0;
  std::string failure;
  bench_clock::time_point start;
  bench_clock::time_point stop;
  {
    caf::scoped_actor self{sys};
    start = bench_clock::now();
    sys.spawn(node, caf::actor{self}, std::uint64_t{0}, leaves);
    self->receive([&](payload sum) { result = sum; },
                  [&](caf::error& err) { failure = "skynet failed: " + sys.render(err); });
    stop = bench_clock::now();
  }
  if (failure.empty() && result != expected) {
    failure = "wrong sum " + std::to_string(result) + " != " + std::to_string(expected);
  }
  const double peak_mb = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);
  return {
      metric{"skynet", seconds_between(start, stop), "s", "lower", check_text(failure)},
      metric{"skynet-peak-rss", peak_mb, "MB", "lower", check_text(failure)},
  };
}

}  // namespace cafbench
