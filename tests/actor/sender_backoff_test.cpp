// SPDX-License-Identifier: MIT
// sender_backoff: a plain thread that sends to an actor far behind yields its core, counted in
// the engine's stats; actors' sends never do; no message is lost either way.
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <hollywood_test/wait.hpp>

namespace {

using namespace hollywood::actor;

struct item {
  std::uint64_t value = 0;
};
struct go {};

constexpr std::size_t backlog = 16;
constexpr std::uint64_t sends = 100;

/// An actor that holds its worker in its first message until `release` is set, then sums.
struct stuck_counter {
  std::atomic<bool> release{false};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum{0};

  producer make() {
    return make_fn_producer([this](context& ctx) {
      if (const auto* i = ctx.get_if<item>()) {
        while (!release.load(std::memory_order_acquire)) {
        }
        sum.fetch_add(i->value, std::memory_order_relaxed);
        count.fetch_add(1, std::memory_order_release);
      }
    });
  }
  /// Lets the actor go on, and waits until it handled every message sent, with the right sum.
  bool release_and_drain() {
    release.store(true, std::memory_order_release);
    return hollywood::test::wait_until([&] { return count.load() == sends; }) &&
           sum.load() == sends * (sends + 1) / 2;
  }
};

/// Sends 1..sends to `target` from the calling (plain) thread.
void flood(engine& e, const pid& target) {
  for (std::uint64_t i = 1; i <= sends; ++i)
    e.send(target, item{i});
}

std::unique_ptr<engine> make_engine(sender_backoff policy) {
  return engine::create(engine_config{}.with_workers(2).with_sender_backoff(policy, backlog))
      .value();
}

TEST(sender_backoff, a_backlog_of_zero_is_refused) {
  auto bad = engine::create(engine_config{}.with_sender_backoff(sender_backoff::yield, 0));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), hollywood::errc::invalid_config);
}

TEST(sender_backoff, a_plain_thread_yields_once_per_send_past_the_backlog) {
  auto e = make_engine(sender_backoff::yield);
  stuck_counter c;
  const pid target = e->spawn(c.make(), "stuck");
  flood(*e, target);
  // The actor holds the first message and has consumed none: every send after the backlog's
  // worth found the inbox deeper than the backlog.
  const std::uint64_t backoffs = e->stats().sender_backoffs;
  EXPECT_GE(backoffs, sends - backlog - 1);
  EXPECT_LE(backoffs, sends - backlog);
  EXPECT_TRUE(c.release_and_drain());
  EXPECT_EQ(e->stats().dead_letters, 0U);
}

TEST(sender_backoff, none_never_yields) {
  auto e = make_engine(sender_backoff::none);
  stuck_counter c;
  const pid target = e->spawn(c.make(), "stuck");
  flood(*e, target);
  EXPECT_TRUE(c.release_and_drain());
  EXPECT_EQ(e->stats().sender_backoffs, 0U);
}

TEST(sender_backoff, an_actor_sending_to_an_actor_far_behind_never_yields) {
  auto e = make_engine(sender_backoff::yield);
  stuck_counter c;
  const pid target = e->spawn(c.make(), "stuck");
  std::atomic<bool> sent{false};
  const pid sender = e->spawn_fn(
      [&](context& ctx) {
        if (ctx.is<go>()) {
          for (std::uint64_t i = 1; i <= sends; ++i)
            ctx.send(target, item{i});
          sent.store(true, std::memory_order_release);
        }
      },
      "sender");
  e->send(sender, go{});
  ASSERT_TRUE(hollywood::test::wait_until([&] { return sent.load(std::memory_order_acquire); }));
  EXPECT_EQ(e->stats().sender_backoffs, 0U);
  EXPECT_TRUE(c.release_and_drain());
}

}  // namespace
