// SPDX-License-Identifier: MIT
// pingpong: two actors, R round trips one at a time.
#include "common.hpp"

#include <caf/all.hpp>

namespace cafbench {

namespace {

caf::behavior pong(caf::event_based_actor*) {
  // A handler's result goes back to the sender (as an ordinary message after a plain send).
  return {
      [](payload value) { return value; },
  };
}

struct ping_state {
  std::uint64_t next = 1;  // value of the round trip in flight
};

caf::behavior ping(caf::stateful_actor<ping_state>* self, caf::actor buddy,
                   std::uint64_t round_trips, finish_line* finish) {
  return {
      [=](start_atom) {
        finish->start = bench_clock::now();
        self->send(buddy, payload{self->state.next});
      },
      [=](payload value) {
        auto& st = self->state;
        if (value != st.next && finish->failure.empty()) {
          finish->failure =
              "round trip " + std::to_string(st.next) + " returned " + std::to_string(value);
        }
        if (st.next == round_trips) {
          finish->at = bench_clock::now();
          finish->done();
          self->quit();  // drops `buddy`, so pong becomes unreachable and terminates too
          return;
        }
        self->send(buddy, payload{++st.next});
      },
  };
}

}  // namespace

std::vector<metric> run_pingpong(caf::actor_system& sys, const options& opt) {
  const std::uint64_t round_trips = opt.quick ? 200'000 : 1'000'000;
  finish_line finish;
  {
    auto ping_actor = sys.spawn(ping, sys.spawn(pong), round_trips, &finish);
    caf::anon_send(ping_actor, start_atom::value);
  }
  finish.wait();
  double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(round_trips);
  return {metric{"pingpong", ns, "ns", "lower", check_text(finish.failure)}};
}

}  // namespace cafbench
