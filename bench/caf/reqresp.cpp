// SPDX-License-Identifier: MIT
// reqresp: (a) an actor client makes R sequential request(...).then(...) calls; (b) a plain thread
// with a scoped_actor makes B sequential blocking request(...).receive(...) calls.
#include "common.hpp"

#include <caf/all.hpp>

namespace cafbench {

namespace {

caf::behavior server(caf::event_based_actor*) {
  return {
      [](payload value) { return payload{value + 1}; },
  };
}

struct client_state {
  std::uint64_t next = 1;  // value of the request in flight
};

void send_next_request(caf::stateful_actor<client_state>* self, const caf::actor& target,
                       std::uint64_t requests, finish_line* finish) {
  self->request(target, caf::infinite, payload{self->state.next})
      .then(
          [=](payload reply) {
            auto& st = self->state;
            if (reply != st.next + 1 && finish->failure.empty()) {
              finish->failure =
                  "actor request " + std::to_string(st.next) + " answered " + std::to_string(reply);
            }
            if (st.next == requests) {
              finish->at = bench_clock::now();
              finish->done();
              self->quit();
              return;
            }
            ++st.next;
            send_next_request(self, target, requests, finish);
          },
          [=](caf::error& err) {
            finish->failure = "actor request failed: " + self->system().render(err);
            finish->at = bench_clock::now();
            finish->done();
            self->quit();
          });
}

caf::behavior client(caf::stateful_actor<client_state>* self, caf::actor target,
                     std::uint64_t requests, finish_line* finish) {
  return {
      [=](start_atom) {
        finish->start = bench_clock::now();
        send_next_request(self, target, requests, finish);
      },
  };
}

metric run_actor_client(caf::actor_system& sys, const caf::actor& target, std::uint64_t requests) {
  finish_line finish;
  caf::anon_send(sys.spawn(client, target, requests, &finish), start_atom::value);
  finish.wait();
  double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(requests);
  return metric{"reqresp-actor", ns, "ns", "lower", check_text(finish.failure)};
}

metric run_blocking_client(caf::actor_system& sys, const caf::actor& target,
                           std::uint64_t requests) {
  std::string failure;
  bench_clock::time_point start;
  bench_clock::time_point stop;
  {
    caf::scoped_actor self{sys};
    start = bench_clock::now();
    for (std::uint64_t i = 1; i <= requests && failure.empty(); ++i) {
      self->request(target, caf::infinite, payload{i})
          .receive(
              [&](payload reply) {
                if (reply != i + 1) {
                  failure = "blocking request " + std::to_string(i) + " answered " +
                            std::to_string(reply);
                }
              },
              [&](caf::error& err) { failure = "blocking request failed: " + sys.render(err); });
    }
    stop = bench_clock::now();
  }
  double ns = seconds_between(start, stop) * 1e9 / static_cast<double>(requests);
  return metric{"reqresp-blocking", ns, "ns", "lower", check_text(failure)};
}

}  // namespace

std::vector<metric> run_reqresp(caf::actor_system& sys, const options& opt) {
  const std::uint64_t actor_requests = opt.quick ? 100'000 : 1'000'000;
  const std::uint64_t blocking_requests = opt.quick ? 20'000 : 100'000;
  auto target = sys.spawn(server);
  std::vector<metric> out;
  out.push_back(run_actor_client(sys, target, actor_requests));
  out.push_back(run_blocking_client(sys, target, blocking_requests));
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  return out;
}

}  // namespace cafbench
