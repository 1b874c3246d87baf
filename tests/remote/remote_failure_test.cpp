// SPDX-License-Identifier: MIT
// Losing a peer mid-stream and getting it back: exact accounting of every message.

#include "remote_fixture.hpp"

#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <hollywood_test/wait.hpp>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace hollywood::test;
namespace remote = hollywood::remote;

/// Records which sequence numbers arrived (and how often).
struct arrivals {
  std::mutex mu;
  std::vector<std::uint32_t> seen;

  explicit arrivals(std::size_t n) : seen(n, 0) {}
  void add(std::uint64_t v) {
    std::lock_guard lock(mu);
    if (v < seen.size()) ++seen[v];
  }
};

/// Records the dead letters of Counter messages by sequence number.
struct losses {
  std::mutex mu;
  std::vector<std::uint32_t> count;
  std::vector<bool> maybe;
  std::atomic<std::uint64_t> total{0};

  explicit losses(std::size_t n) : count(n, 0), maybe(n, false) {}
};

pid spawn_sink(engine& e, std::shared_ptr<arrivals> got) {
  return e.spawn_fn(
      [got](context& ctx) {
        if (auto* c = ctx.get_if<Counter>()) got->add(c->value());
      },
      "sink", spawn_options{}.with_id("1"));
}

TEST(remote_failure, a_peer_lost_mid_stream_leaves_every_message_handled_or_dead_lettered) {
  constexpr std::size_t total = 200'000;
  auto a = make_node();
  auto b = make_node();
  auto got = std::make_shared<arrivals>(total);
  spawn_sink(*b.engine, got);
  auto lost = std::make_shared<losses>(total);
  recorder events(*a.engine, "events");
  const pid counter_pid = a.engine->spawn_fn(
      [lost](context& ctx) {
        auto* d = ctx.get_if<dead_letter_event>();
        if (d == nullptr || !d->message->is<Counter>()) return;
        const auto v = d->message->get<Counter>().value();
        std::lock_guard lock(lost->mu);
        if (v < lost->count.size()) {
          ++lost->count[v];
          if (d->reason == dead_letter_reason::maybe_delivered) lost->maybe[v] = true;
        }
        lost->total.fetch_add(1, std::memory_order_relaxed);
      },
      "losses");
  a.engine->subscribe(counter_pid);
  a.engine->subscribe(events.pid());
  const pid sink = b.at("sink/1");

  std::atomic<std::size_t> sent{0};
  std::thread sender([&] {
    for (std::size_t i = 0; i < total; ++i) {
      a.engine->send(sink, counter(i));
      sent.store(i + 1, std::memory_order_relaxed);
      // Keep the stream going past the unreachable deadline after the peer is gone.
      if (i > total / 4 && i % 1000 == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  // Lose the peer once traffic flows.
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received > 10'000; }));
  b.net->stop();
  sender.join();
  ASSERT_TRUE(events.wait_count<remote::remote_unreachable_event>(1));

  std::size_t handled = 0;
  // Everything sent is accounted for: handled, or a dead letter.
  ASSERT_TRUE(wait_until([&] {
    std::size_t h = 0;
    {
      std::lock_guard lock(got->mu);
      for (auto c : got->seen)
        h += c != 0 ? 1 : 0;
    }
    handled = h;
    std::lock_guard lock(lost->mu);
    std::size_t accounted = 0;
    for (std::size_t i = 0; i < total; ++i)
      accounted += (got->seen[i] != 0 || lost->count[i] != 0) ? 1 : 0;
    return accounted == total;
  })) << "handled "
      << handled << ", dead letters " << lost->total.load();
  std::lock_guard lock_got(got->mu);
  std::lock_guard lock_lost(lost->mu);
  std::size_t in_doubt = 0;
  for (std::size_t i = 0; i < total; ++i) {
    ASSERT_LE(got->seen[i], 1u) << "message " << i << " delivered twice";
    ASSERT_LE(lost->count[i], 1u) << "message " << i << " dead-lettered twice";
    if (got->seen[i] != 0 && lost->count[i] != 0) {
      ASSERT_TRUE(lost->maybe[i]) << "message " << i
                                  << " was handled but dead-lettered without the in-doubt flag";
    }
    in_doubt += lost->maybe[i] ? 1 : 0;
  }
  EXPECT_GT(handled, 10'000u);
  EXPECT_LT(handled, total);
  EXPECT_EQ(events.count<remote::remote_unreachable_event>(), 1u);
  EXPECT_EQ(a.engine->stats().dead_letters, lost->total.load());
  // The remote's own counters say the same: one outage, the in-doubt share, the rest.
  const auto s = a.net->stats();
  EXPECT_EQ(s.unreachable_events, 1u);
  EXPECT_EQ(s.dead_letters_maybe_delivered, in_doubt);
  EXPECT_LE(s.dead_letters, lost->total.load());
  EXPECT_EQ(s.outbound_connections, 0u);
  std::cout << "handled " << handled << ", dead letters " << lost->total.load() << " (" << in_doubt
            << " in doubt)\n";
}

TEST(remote_failure, traffic_resumes_when_a_peer_comes_back_on_its_address) {
  auto a = make_node();
  auto b = make_node();
  const std::string address = b.address();
  auto got = std::make_shared<arrivals>(1'000'000);
  spawn_sink(*b.engine, got);
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  const pid sink(address, "sink/1");
  a.engine->send(sink, counter(0));
  ASSERT_TRUE(wait_until([&] { return b.net->stats().messages_received == 1; }));
  b = remote_node{};  // the peer goes away
  // A send that reaches the old connection before `a` reads its end is reported "maybe
  // delivered", not unreachable (seen once in CI); only a send after that dials and fails. So keep
  // sending until one has.
  ASSERT_TRUE(wait_until([&] {
    a.engine->send(sink, counter(1));
    return events.count<remote::remote_unreachable_event>() >= 1;
  }));

  auto again = make_node(fast_config().with_listen(address));
  ASSERT_TRUE(again.engine);
  auto got_again = std::make_shared<arrivals>(1'000'000);
  spawn_sink(*again.engine, got_again);
  // Sends during the outage fail fast and trigger a dial; once it connects, messages flow.
  std::uint64_t v = 100;
  ASSERT_TRUE(wait_until(
      [&] {
        a.engine->send(sink, counter(v++));
        std::lock_guard lock(got_again->mu);
        for (std::uint64_t i = 100; i < v; ++i) {
          if (got_again->seen[i] != 0) return true;
        }
        return false;
      },
      std::chrono::seconds(30)));
  // Published by the I/O thread; a's worker may still have dead letters to get through first.
  EXPECT_TRUE(events.wait_count<remote::remote_connected_event>(2));
  EXPECT_GE(a.net->stats().reconnects, 1u) << "a connection to a peer it had been connected to";
  EXPECT_EQ(a.net->stats().connects, a.net->stats().reconnects + 1);
  EXPECT_EQ(a.net->stats().outbound_connections, 1u);
  // After the reconnection, nothing more is lost.
  const auto dead_before = a.engine->stats().dead_letters;
  const std::uint64_t first = v;
  for (std::uint64_t i = 0; i < 1000; ++i)
    a.engine->send(sink, counter(first + i));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(got_again->mu);
    for (std::uint64_t i = 0; i < 1000; ++i) {
      if (got_again->seen[first + i] == 0) return false;
    }
    return true;
  }));
  EXPECT_EQ(a.engine->stats().dead_letters, dead_before);
}

}  // namespace
