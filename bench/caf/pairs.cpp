// SPDX-License-Identifier: MIT
// pairs: 4 ping/echo pairs, 100 payloads in flight per pair, M sends per ping; messages in both
// directions count.
#include "common.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace cafbench {

namespace {

constexpr std::uint64_t pair_count = 4;
constexpr std::uint64_t in_flight = 100;

caf::behavior echo(caf::event_based_actor*) {
  return {
      [](payload value) { return value; },
  };
}

struct pinger_state {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t sum = 0;
};

struct pair_result {
  bench_clock::time_point at{};
  std::string failure;
};

caf::behavior pinger(caf::stateful_actor<pinger_state>* self, caf::actor buddy, std::uint64_t sends,
                     pair_result* result, finish_line* finish) {
  return {
      [=](start_atom) {
        auto& st = self->state;
        while (st.sent < std::min(in_flight, sends))
          self->send(buddy, payload{++st.sent});
      },
      [=](payload value) {
        auto& st = self->state;
        st.sum += value;
        if (st.sent < sends) self->send(buddy, payload{++st.sent});
        if (++st.received == sends) {
          result->at = bench_clock::now();
          if (st.sum != sends * (sends + 1) / 2) {
            result->failure = "wrong echo sum " + std::to_string(st.sum);
          }
          finish->done();
          self->quit();
        }
      },
  };
}

}  // namespace

std::vector<metric> run_pairs(caf::actor_system& sys, const options& opt) {
  const std::uint64_t sends = opt.quick ? 500'000 : 2'500'000;
  finish_line finish(static_cast<std::ptrdiff_t>(pair_count));
  std::vector<pair_result> results(pair_count);
  std::vector<caf::actor> pingers;
  for (std::uint64_t p = 0; p < pair_count; ++p) {
    pingers.push_back(sys.spawn(pinger, sys.spawn(echo), sends, &results[p], &finish));
  }
  auto start = bench_clock::now();
  for (const auto& p : pingers)
    caf::anon_send(p, start_atom::value);
  pingers.clear();
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

}  // namespace cafbench
