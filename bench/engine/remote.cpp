// SPDX-License-Identifier: MIT
// remote-throughput and remote-reqresp: two processes on loopback. This process measures; the
// server half (this program with --serve) holds the receiving actor.
#include <hollywood/remote.hpp>

#include "peer_process.hpp"
#include "workloads.hpp"

#include <thread>

namespace hollywood::bench {

namespace {

/// From the measuring half to the sink: where to report, and how many payloads follow.
struct expect_n {
  std::uint64_t count;
};
/// From the sink when it has them all: how many, and their sum (the check).
struct received_all {
  std::uint64_t count;
  std::uint64_t sum;
};

std::shared_ptr<remote::type_registry> bench_types() {
  auto types = std::make_shared<remote::type_registry>();
  (void)types->add<payload>("bench.payload");
  (void)types->add<expect_n>("bench.expect_n");
  (void)types->add<received_all>("bench.received_all");
  return types;
}

struct networked {
  std::shared_ptr<remote::remote> net;
  std::unique_ptr<actor::engine> engine;
};

networked make_networked(const options& opt) {
  networked n;
  n.net = remote::remote::create(remote::remote_config{}.with_types(bench_types())).value();
  n.engine =
      actor::engine::create(actor::engine_config{}.with_workers(opt.workers).with_remote(n.net))
          .value();
  return n;
}

std::vector<std::string> server_args(const options& opt) {
  std::vector<std::string> args{"--workload", opt.workload, "--serve"};
  if (opt.workers > 0) args.insert(args.end(), {"--workers", std::to_string(opt.workers)});
  if (opt.quick) args.emplace_back("--quick");
  return args;
}

/// The address in the server's "ready <address>" line.
std::string served_address(const peer_process& p) {
  const auto space = p.line().find(' ');
  return space == std::string::npos ? std::string{} : p.line().substr(space + 1);
}

// -- remote-throughput ---------------------------------------------------------------------

std::vector<metric> serve_throughput(const options& opt) {
  auto n = make_networked(opt);
  struct sink_state {
    std::uint64_t expected = 0;
    std::uint64_t count = 0;
    std::uint64_t sum = 0;
    actor::pid report_to;
  };
  n.engine->spawn_fn(
      [s = std::make_shared<sink_state>()](actor::context& ctx) {
        if (const auto* p = ctx.get_if<payload>()) {
          s->sum += p->value;
          if (++s->count == s->expected) ctx.send(s->report_to, received_all{s->count, s->sum});
        } else if (const auto* e = ctx.get_if<expect_n>()) {
          s->expected = e->count;
          s->report_to = ctx.sender();
        }
      },
      "sink", actor::spawn_options{}.with_id("1"));
  serve_until_released("ready " + n.net->address());
  return {};
}

std::vector<metric> run_throughput(const options& opt) {
  const std::uint64_t total = opt.quick ? 500'000 : 2'000'000;
  auto server = peer_process::start(server_args(opt));
  if (!server) return {metric{"remote-throughput", 0, "msgs/s", "higher", "no server"}};
  auto n = make_networked(opt);
  const actor::pid sink(served_address(*server), "sink/1");
  finish_line finish;
  received_all got{};
  const actor::pid collector = n.engine->spawn_fn(
      [&](actor::context& ctx) {
        if (const auto* r = ctx.get_if<received_all>()) {
          got = *r;
          finish.at = bench_clock::now();
          finish.done();
        }
      },
      "collector");
  n.engine->send_with_sender(sink, expect_n{total}, collector);
  finish.start = bench_clock::now();
  for (std::uint64_t i = 1; i <= total; ++i) {
    // The queue to the peer is bounded: a full queue is back-pressure, so wait and retry.
    while (n.engine->try_send(sink, payload{i}) == actor::send_result::inbox_full)
      std::this_thread::yield();
  }
  finish.wait();
  const double rate = static_cast<double>(total) / seconds_between(finish.start, finish.at);
  const bool ok =
      got.count == total && got.sum == triangle(total) && n.engine->stats().dead_letters == 0;
  return {
      metric{"remote-throughput", rate, "msgs/s", "higher", ok ? "ok" : "lost or wrong messages"}};
}

// -- remote-reqresp ------------------------------------------------------------------------

std::vector<metric> serve_reqresp(const options& opt) {
  auto n = make_networked(opt);
  n.engine->spawn_fn(
      [](actor::context& ctx) {
        if (const auto* p = ctx.get_if<payload>()) ctx.respond(payload{p->value + 1});
      },
      "server", actor::spawn_options{}.with_id("1"));
  serve_until_released("ready " + n.net->address());
  return {};
}

void next_request(actor::context& ctx, const actor::pid& server, std::uint64_t value,
                  std::uint64_t requests, finish_line& finish) {
  ctx.request(
      server, payload{value}, std::chrono::seconds(30),
      [&finish, server, value, requests](actor::context& c, expected<actor::message> reply) {
        if (!reply || !reply->is<payload>() || reply->get<payload>().value != value + 1) {
          finish.failure = "request " + std::to_string(value) + " failed";
          finish.at = bench_clock::now();
          finish.done();
          return;
        }
        if (value == requests) {
          finish.at = bench_clock::now();
          finish.done();
          return;
        }
        next_request(c, server, value + 1, requests, finish);
      });
}

std::vector<metric> run_reqresp_remote(const options& opt) {
  const std::uint64_t requests = opt.quick ? 5'000 : 100'000;
  auto server = peer_process::start(server_args(opt));
  if (!server) return {metric{"remote-reqresp", 0, "ns", "lower", "no server"}};
  auto n = make_networked(opt);
  const actor::pid target(served_address(*server), "server/1");
  finish_line finish;
  const actor::pid client = n.engine->spawn_fn(
      [&, target](actor::context& ctx) {
        if (ctx.is<go>()) {
          finish.start = bench_clock::now();
          next_request(ctx, target, 1, requests, finish);
        }
      },
      "client");
  n.engine->send(client, go{});
  finish.wait();
  const double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(requests);
  return {metric{"remote-reqresp", ns, "ns", "lower", check_text(finish.failure)}};
}

}  // namespace

std::vector<metric> run_remote_throughput(const options& opt) {
  return opt.serve ? serve_throughput(opt) : run_throughput(opt);
}

std::vector<metric> run_remote_reqresp(const options& opt) {
  return opt.serve ? serve_reqresp(opt) : run_reqresp_remote(opt);
}

}  // namespace hollywood::bench
