// SPDX-License-Identifier: MIT
// storm: 20 plain threads anon_send to uniformly random targets among 2000 actors for D seconds;
// afterwards every actor reports its count, and received must equal sent.
#include "common.hpp"

#include <caf/all.hpp>

#include <cstdio>
#include <thread>

namespace cafbench {

namespace {

constexpr std::size_t actor_count = 2000;
constexpr std::size_t sender_count = 20;

struct sink_state {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

// Counts payloads; on `report` (sent after all senders stopped, so it is queued behind all of
// their messages) tells the collector its totals and stops.
caf::behavior sink(caf::stateful_actor<sink_state>* self, caf::actor collector) {
  return {
      [=](payload value) {
        self->state.sum += value;
        ++self->state.count;
      },
      [=](report_atom) {
        self->send(collector, self->state.count, self->state.sum);
        self->quit();
      },
  };
}

struct tally {
  std::uint64_t reports = 0;
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

struct totals {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

caf::behavior collector(caf::stateful_actor<tally>* self, totals* out, finish_line* finish) {
  return {
      [=](std::uint64_t count, std::uint64_t sum) {
        auto& st = self->state;
        st.count += count;
        st.sum += sum;
        if (++st.reports == actor_count) {
          finish->at = bench_clock::now();
          out->count = st.count;
          out->sum = st.sum;
          finish->done();
          self->quit();
        }
      },
  };
}

}  // namespace

std::vector<metric> run_storm(caf::actor_system& sys, const options& opt) {
  const auto duration = std::chrono::seconds(opt.quick ? 2 : 10);
  finish_line finish;
  totals received;
  auto tally_actor = sys.spawn(collector, &received, &finish);
  std::vector<caf::actor> actors;
  actors.reserve(actor_count);
  for (std::size_t i = 0; i < actor_count; ++i)
    actors.push_back(sys.spawn(sink, tally_actor));

  std::vector<totals> sent(sender_count);
  start_gate gate(static_cast<std::ptrdiff_t>(sender_count));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < sender_count; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t rng = 0x5eed0000ULL + t;
      totals mine;
      gate.arrive_and_wait();
      const auto stop_at = gate.opened_at() + duration;
      for (;;) {
        // Check the clock every 64 sends.
        if ((mine.count & 63) == 0 && bench_clock::now() >= stop_at) break;
        const std::uint64_t r = next_random(rng);
        const std::uint64_t index = ((r >> 32) * actor_count) >> 32;  // uniform in [0, 2000)
        const std::uint64_t value = (r & 0xffff) + 1;
        caf::anon_send(actors[index], payload{value});
        ++mine.count;
        mine.sum += value;
      }
      sent[t] = mine;
    });
  }
  auto start = gate.release();
  for (auto& th : threads)
    th.join();
  for (const auto& a : actors)
    caf::anon_send(a, report_atom::value);
  actors.clear();
  finish.wait();

  totals total_sent;
  for (const auto& s : sent) {
    total_sent.count += s.count;
    total_sent.sum += s.sum;
  }
  std::string failure;
  if (received.count != total_sent.count || received.sum != total_sent.sum) {
    failure = "received " + std::to_string(received.count) + " of " +
              std::to_string(total_sent.count) + " sent";
  }
  std::fprintf(stderr,
               "storm: sent %llu messages in %.3f s, drained after %.3f s, peak RSS %.1f MiB\n",
               static_cast<unsigned long long>(total_sent.count),
               std::chrono::duration<double>(duration).count(), seconds_between(start, finish.at),
               static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0));
  return {metric{"storm", static_cast<double>(received.count) / seconds_between(start, finish.at),
                 "msgs/s", "higher", check_text(failure)}};
}

}  // namespace cafbench
