// SPDX-License-Identifier: MIT
// fanin: P plain threads anon_send N payloads in all to one counting actor.
#include "common.hpp"

#include <caf/all.hpp>

#include <thread>

namespace cafbench {

namespace {

struct receiver_state {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

caf::behavior receiver(caf::stateful_actor<receiver_state>* self, std::uint64_t expected_count,
                       std::uint64_t expected_sum, finish_line* finish) {
  return {
      [=](payload value) {
        auto& st = self->state;
        st.sum += value;
        if (++st.count == expected_count) {
          finish->at = bench_clock::now();
          if (st.sum != expected_sum) {
            finish->failure =
                "wrong sum: " + std::to_string(st.sum) + " != " + std::to_string(expected_sum);
          }
          finish->done();
          self->quit();
        }
      },
  };
}

}  // namespace

std::vector<metric> run_fanin(caf::actor_system& sys, const options& opt) {
  const std::uint64_t total = opt.quick ? 2'000'000 : 10'000'000;
  const std::uint64_t senders = opt.senders;
  // Sender k sends the values 1..share(k); the shares add up to `total`.
  auto share = [&](std::uint64_t k) { return total / senders + (k < total % senders ? 1 : 0); };
  std::uint64_t expected_sum = 0;
  for (std::uint64_t k = 0; k < senders; ++k)
    expected_sum += share(k) * (share(k) + 1) / 2;

  finish_line finish;
  auto target = sys.spawn(receiver, total, expected_sum, &finish);
  start_gate gate(static_cast<std::ptrdiff_t>(senders));
  std::vector<std::thread> threads;
  threads.reserve(senders);
  for (std::uint64_t k = 0; k < senders; ++k) {
    threads.emplace_back([&, n = share(k)] {
      gate.arrive_and_wait();
      for (std::uint64_t i = 1; i <= n; ++i)
        caf::anon_send(target, payload{i});
    });
  }
  auto start = gate.release();
  for (auto& t : threads)
    t.join();
  finish.wait();
  double secs = seconds_between(start, finish.at);
  return {metric{"fanin-" + std::to_string(senders), static_cast<double>(total) / secs, "msgs/s",
                 "higher", check_text(finish.failure)}};
}

}  // namespace cafbench
