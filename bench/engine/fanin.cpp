// SPDX-License-Identifier: MIT
// fanin: P plain threads send N payloads in all to one counting actor; fanin-metrics: the same
// with the handler-latency middleware on the receiver (its cost, measured).
#include <hollywood/metrics/handler_latency.hpp>

#include "workloads.hpp"

#include <thread>

namespace hollywood::bench {

namespace {

std::vector<metric> fanin(const options& opt, const std::string& name,
                          const actor::spawn_options& receiver_options) {
  const std::uint64_t total = opt.quick ? 2'000'000 : 10'000'000;
  const std::uint64_t senders = opt.senders;
  // Sender k sends the values 1..share(k); the shares add up to `total`.
  auto share = [&](std::uint64_t k) { return total / senders + (k < total % senders ? 1 : 0); };
  std::uint64_t expected_sum = 0;
  for (std::uint64_t k = 0; k < senders; ++k)
    expected_sum += triangle(share(k));

  auto e = make_engine(opt);
  finish_line finish;
  actor::pid target = e->spawn_fn(
      [&, count = std::uint64_t{0}, sum = std::uint64_t{0}](actor::context& ctx) mutable {
        if (auto* p = ctx.get_if<payload>()) {
          sum += p->value;
          if (++count == total) {
            finish.at = bench_clock::now();
            if (sum != expected_sum) finish.failure = "wrong sum " + std::to_string(sum);
            finish.done();
          }
        }
      },
      "sink", receiver_options);
  start_gate gate(static_cast<std::ptrdiff_t>(senders));
  std::vector<std::thread> threads;
  for (std::uint64_t k = 0; k < senders; ++k) {
    threads.emplace_back([&, n = share(k)] {
      gate.arrive_and_wait();
      for (std::uint64_t i = 1; i <= n; ++i)
        e->send(target, payload{i});
    });
  }
  const auto start = gate.release();
  for (auto& t : threads)
    t.join();
  finish.wait();
  const double secs = seconds_between(start, finish.at);
  return {metric{name + "-" + std::to_string(senders), static_cast<double>(total) / secs, "msgs/s",
                 "higher", check_text(finish.failure)}};
}

}  // namespace

std::vector<metric> run_fanin(const options& opt) {
  return fanin(opt, "fanin", {});
}

std::vector<metric> with_handler_latency(
    const std::function<std::vector<metric>(const actor::spawn_options&)>& workload) {
  metrics::registry reg;
  metrics::handler_latency latency(reg);
  return workload(actor::spawn_options{}.with_middleware({latency.middleware()}));
}

std::vector<metric> run_fanin_metrics(const options& opt) {
  return with_handler_latency(
      [&](const actor::spawn_options& o) { return fanin(opt, "fanin-metrics", o); });
}

}  // namespace hollywood::bench
