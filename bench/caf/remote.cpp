// SPDX-License-Identifier: MIT
// remote-throughput and remote-reqresp with CAF's own remoting (libcaf_io, BASP over TCP): two
// processes on loopback, the same shape and sizes as bench/engine/remote.cpp.
#include "peer_process.hpp"
#include "request_client.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <optional>

namespace cafbench {

namespace {

using hollywood::bench::peer_process;
using hollywood::bench::serve_until_released;
using hollywood::bench::triangle;

using expect_atom = caf::atom_constant<caf::atom("expect")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

std::unique_ptr<caf::actor_system> make_system(caf::actor_system_config& cfg, const options& opt) {
  cfg.load<caf::io::middleman>();
  if (opt.workers > 0) cfg.set("scheduler.max-threads", opt.workers);
  return std::make_unique<caf::actor_system>(cfg);
}

std::vector<std::string> server_args(const options& opt) {
  std::vector<std::string> args{"--workload", opt.workload, "--serve"};
  if (opt.workers > 0) args.insert(args.end(), {"--workers", std::to_string(opt.workers)});
  if (opt.quick) args.emplace_back("--quick");
  return args;
}

/// Publishes `server` on a free loopback port and serves until released.
void publish_and_serve(caf::actor_system& sys, const caf::actor& server) {
  auto port = sys.middleman().publish(server, 0, "127.0.0.1");
  if (!port) {
    std::fprintf(stderr, "caf: publish failed: %s\n", sys.render(port.error()).c_str());
    return;
  }
  serve_until_released("ready 127.0.0.1:" + std::to_string(*port));
  caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
}

std::optional<caf::actor> connect(caf::actor_system& sys, const peer_process& server) {
  const auto colon = server.line().rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const auto port = static_cast<std::uint16_t>(std::stoi(server.line().substr(colon + 1)));
  auto remote = sys.middleman().remote_actor("127.0.0.1", port);
  if (!remote) {
    std::fprintf(stderr, "caf: remote_actor failed: %s\n", sys.render(remote.error()).c_str());
    return std::nullopt;
  }
  return *remote;
}

// -- remote-throughput ---------------------------------------------------------------------

struct sink_state {
  std::uint64_t expected = 0;
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  caf::actor report_to;
};

caf::behavior sink(caf::stateful_actor<sink_state>* self) {
  return {
      [=](expect_atom, std::uint64_t n) {
        self->state.expected = n;
        self->state.report_to = caf::actor_cast<caf::actor>(self->current_sender());
      },
      [=](payload v) {
        auto& st = self->state;
        st.sum += v;
        if (++st.count == st.expected) self->send(st.report_to, done_atom::value, st.count, st.sum);
      },
  };
}

std::vector<metric> throughput(const options& opt) {
  caf::actor_system_config cfg;
  auto sys = make_system(cfg, opt);
  if (opt.serve) {
    publish_and_serve(*sys, sys->spawn(sink));
    return {};
  }
  const std::uint64_t total = opt.quick ? 500'000 : 2'000'000;
  auto server = peer_process::start(server_args(opt));
  if (!server) return {metric{"remote-throughput", 0, "msgs/s", "higher", "no server"}};
  auto remote = connect(*sys, *server);
  if (!remote) return {metric{"remote-throughput", 0, "msgs/s", "higher", "no connection"}};
  std::string failure;
  double rate = 0;
  {
    caf::scoped_actor self{*sys};
    self->send(*remote, expect_atom::value, total);
    const auto start = bench_clock::now();
    for (std::uint64_t i = 1; i <= total; ++i)
      self->send(*remote, payload{i});
    self->receive(
        [&](done_atom, std::uint64_t count, std::uint64_t sum) {
          rate = static_cast<double>(total) / seconds_between(start, bench_clock::now());
          if (count != total || sum != triangle(total)) failure = "lost or wrong messages";
        },
        caf::after(std::chrono::seconds(100)) >> [&] { failure = "timed out"; });
  }
  return {metric{"remote-throughput", rate, "msgs/s", "higher", check_text(failure)}};
}

// -- remote-reqresp ------------------------------------------------------------------------

std::vector<metric> reqresp(const options& opt) {
  caf::actor_system_config cfg;
  auto sys = make_system(cfg, opt);
  if (opt.serve) {
    publish_and_serve(*sys, sys->spawn(increment_server));
    return {};
  }
  const std::uint64_t requests = opt.quick ? 5'000 : 100'000;
  auto srv = peer_process::start(server_args(opt));
  if (!srv) return {metric{"remote-reqresp", 0, "ns", "lower", "no server"}};
  auto remote = connect(*sys, *srv);
  if (!remote) return {metric{"remote-reqresp", 0, "ns", "lower", "no connection"}};
  finish_line finish;
  caf::anon_send(sys->spawn(request_client, *remote, caf::duration{std::chrono::seconds(30)},
                            requests, &finish, std::string{"request"}),
                 start_atom::value);
  finish.wait();
  const double ns = seconds_between(finish.start, finish.at) * 1e9 / static_cast<double>(requests);
  return {metric{"remote-reqresp", ns, "ns", "lower", check_text(finish.failure)}};
}

}  // namespace

std::vector<metric> run_remote_throughput(const options& opt) {
  return throughput(opt);
}

std::vector<metric> run_remote_reqresp(const options& opt) {
  return reqresp(opt);
}

}  // namespace cafbench
