// SPDX-License-Identifier: MIT
// reqresp: (a) an actor client makes R sequential request(...).then(...) calls; (b) a plain thread
// with a scoped_actor makes B sequential blocking request(...).receive(...) calls.
#include "request_client.hpp"

#include <caf/all.hpp>

namespace cafbench {

namespace {

metric run_actor_client(caf::actor_system& sys, const caf::actor& target, std::uint64_t requests) {
  finish_line finish;
  caf::anon_send(sys.spawn(request_client, target, caf::duration{caf::infinite}, requests, &finish,
                           std::string{"actor request"}),
                 start_atom::value);
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
  auto target = sys.spawn(increment_server);
  std::vector<metric> out;
  out.push_back(run_actor_client(sys, target, actor_requests));
  out.push_back(run_blocking_client(sys, target, blocking_requests));
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  return out;
}

}  // namespace cafbench
