// SPDX-License-Identifier: MIT
// reqresp: (a) an actor making sequential non-blocking requests; (b) a plain thread making
// sequential blocking requests. Both without a timeout, like CAF's `caf::infinite`.
#include "workloads.hpp"

namespace hollywood::bench {

namespace {

void next_request(actor::context& ctx, const actor::pid& server, std::uint64_t value,
                  std::uint64_t requests, finish_line& finish) {
  ctx.request(
      server, payload{value}, actor::infinite_timeout,
      [&finish, server, value, requests](actor::context& c, expected<actor::message> reply) {
        if (!reply || reply->get<payload>().value != value + 1) {
          if (finish.failure.empty()) {
            finish.failure = "actor request " + std::to_string(value) + " failed";
          }
        }
        if (value == requests) {
          finish.at = bench_clock::now();
          finish.done();
          return;
        }
        next_request(c, server, value + 1, requests, finish);
      });
}

metric run_actor_client(actor::engine& e, const actor::pid& server, std::uint64_t requests) {
  finish_line finish;
  actor::pid client = e.spawn_fn(
      [&, server](actor::context& ctx) {
        if (ctx.is<go>()) {
          finish.start = bench_clock::now();
          next_request(ctx, server, 1, requests, finish);
        }
      },
      "client");
  e.send(client, go{});
  finish.wait();
  const double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(requests);
  return metric{"reqresp-actor", ns, "ns", "lower", check_text(finish.failure)};
}

metric run_blocking_client(actor::engine& e, const actor::pid& server, std::uint64_t requests) {
  std::string failure;
  const auto start = bench_clock::now();
  for (std::uint64_t i = 1; i <= requests && failure.empty(); ++i) {
    auto reply = e.request(server, payload{i}, actor::infinite_timeout).get();
    if (!reply || reply->get<payload>().value != i + 1) {
      failure = "blocking request " + std::to_string(i) + " failed";
    }
  }
  const double ns =
      seconds_between(start, bench_clock::now()) * 1e9 / static_cast<double>(requests);
  return metric{"reqresp-blocking", ns, "ns", "lower", check_text(failure)};
}

}  // namespace

std::vector<metric> run_reqresp(const options& opt) {
  const std::uint64_t actor_requests = opt.quick ? 100'000 : 1'000'000;
  const std::uint64_t blocking_requests = opt.quick ? 20'000 : 100'000;
  auto e = make_engine(opt);
  actor::pid server = e->spawn_fn(
      [](actor::context& ctx) {
        if (auto* p = ctx.get_if<payload>()) ctx.respond(payload{p->value + 1});
      },
      "server");
  return {run_actor_client(*e, server, actor_requests),
          run_blocking_client(*e, server, blocking_requests)};
}

}  // namespace hollywood::bench
