// SPDX-License-Identifier: MIT
// mpsc_queue::hand_back_returned(): blocks a quiet thread left on its return stack are freed,
// and handing back races safely with producers, a consumer and the blocks' owners (label:
// concurrency; run under ThreadSanitizer by the tsan preset).

#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <hollywood_test/stress.hpp>
#include <latch>
#include <thread>
#include <vector>

namespace {

using hollywood::ringbuffer::mpsc_queue;
using hollywood::ringbuffer::push_result;
using hollywood::ringbuffer::queue_layout;
using hollywood::test::encode;
using hollywood::test::fifo_checker;
using hollywood::test::scaled;
using hollywood::test::time_limit;
using hollywood::test::watchdog;

// Return stacks are per queue type: these tests use types nobody else does, so the bytes they
// count are their own.
struct quiet_value {
  std::uint64_t v;
};
using quiet_queue = mpsc_queue<quiet_value, 15, queue_layout::compact, 3>;

TEST(mpsc_queue_hand_back, frees_what_a_thread_that_went_quiet_left_on_its_return_stack) {
  constexpr std::size_t queues = 64;
  (void)quiet_queue::hand_back_returned();  // start from empty stacks
  std::array<quiet_queue, queues> qs;
  std::latch pushed(1);
  std::latch push_again(1);
  std::thread producer([&] {
    // One element per queue: each allocates a first block from this thread's home.
    for (std::size_t i = 0; i < queues; ++i)
      EXPECT_EQ(qs[i].try_emplace(quiet_value{i}), push_result::ok);
    pushed.count_down();
    push_again.wait();  // quiet, but alive: its home keeps whatever comes back
    for (std::size_t i = 0; i < queues; ++i)
      EXPECT_EQ(qs[i].try_emplace(quiet_value{i + queues}), push_result::ok);
  });
  pushed.wait();
  for (std::size_t i = 0; i < queues; ++i) {
    std::uint64_t got = 0;
    EXPECT_EQ(qs[i].consume(8, [&](quiet_value& e) noexcept { got = e.v; }), 1u);
    EXPECT_EQ(got, i);
    EXPECT_TRUE(qs[i].release_storage());  // the block goes back to the producer's stack
  }
  const std::size_t freed = quiet_queue::hand_back_returned();
  EXPECT_GE(freed, queues * quiet_queue::first_slots * sizeof(quiet_value)) << "every block";
  EXPECT_EQ(freed % queues, 0u) << "blocks of one size";
  EXPECT_EQ(quiet_queue::hand_back_returned(), 0u) << "each block is freed once";
  // The producer allocates afresh and its queues work as before.
  push_again.count_down();
  producer.join();
  for (std::size_t i = 0; i < queues; ++i) {
    std::uint64_t got = 0;
    EXPECT_EQ(qs[i].consume(8, [&](quiet_value& e) noexcept { got = e.v; }), 1u);
    EXPECT_EQ(got, i + queues);
  }
}

using racing_queue = mpsc_queue<std::uint64_t, 15, queue_layout::compact, 3>;

TEST(mpsc_queue_hand_back, racing_producers_consumer_and_owners_lose_and_duplicate_nothing) {
  constexpr std::uint32_t producers = 4;
  constexpr std::uint32_t per_producer = scaled(200'000);
  constexpr std::uint64_t expected = std::uint64_t{producers} * per_producer;
  racing_queue q;
  fifo_checker check(producers);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> handed_back{0};
  watchdog dog("mpsc_queue: hand-back vs producers", time_limit);
  std::latch start(producers + 2);
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (std::uint32_t seq = 0; seq < per_producer; ++seq) {
        while (q.try_emplace(encode(p, seq)) != push_result::ok) {
        }
        if (seq % 64 == 0) std::this_thread::yield();  // let the queue empty now and then
      }
    });
  }
  // Takes the owners' stacks while they take them too.
  threads.emplace_back([&] {
    start.arrive_and_wait();
    while (!done.load(std::memory_order_acquire)) {
      handed_back.fetch_add(racing_queue::hand_back_returned(), std::memory_order_relaxed);
      std::this_thread::yield();
    }
  });
  start.arrive_and_wait();
  while (check.total() < expected) {
    if (q.consume(64, [&check](std::uint64_t& v) noexcept { check(v); }) == 0) {
      (void)q.release_storage();  // recycles blocks while the hand-back takes them
      std::this_thread::yield();
    }
  }
  done.store(true, std::memory_order_release);
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(check.errors(), 0u);
  EXPECT_EQ(check.total(), expected);
  EXPECT_TRUE(q.release_storage());
  std::printf("handed back %llu bytes while racing\n",
              static_cast<unsigned long long>(handed_back.load()));
}

}  // namespace
