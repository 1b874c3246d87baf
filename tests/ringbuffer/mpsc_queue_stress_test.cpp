// SPDX-License-Identifier: MIT
// Multi-threaded stress tests of mpsc_queue (label: concurrency; run under ThreadSanitizer by
// the tsan preset). Every test is bounded by a watchdog instead of sleeps, and sizes shrink
// under sanitizers so each test stays within a few seconds on 2 cores.

#include <hollywood/cpu_relax.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <hollywood_test/stress.hpp>
#include <latch>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace {

using hollywood::ringbuffer::mpsc_queue;
using hollywood::ringbuffer::push_result;

using hollywood::test::back_off;
using hollywood::test::encode;
using hollywood::test::fifo_checker;
using hollywood::test::scaled;
using hollywood::test::time_limit;
using hollywood::test::watchdog;

// -- test scaffolding ----------------------------------------------------------

/// An element that counts its constructions and destructions in atomics shared by all threads.
struct tracked {
  static inline std::atomic<std::uint64_t> constructed{0};
  static inline std::atomic<std::uint64_t> destroyed{0};

  tracked(std::uint32_t p, std::uint32_t s) noexcept : producer(p), seq(s) {
    constructed.fetch_add(1, std::memory_order_relaxed);
  }

  tracked(const tracked&) = delete;
  tracked& operator=(const tracked&) = delete;

  ~tracked() { destroyed.fetch_add(1, std::memory_order_relaxed); }

  std::uint32_t producer;
  std::uint32_t seq;
};

// -- tests -----------------------------------------------------------------------

template <class Queue>
void run_producers_keep_order() {
  constexpr std::uint32_t producers = 8;
  constexpr std::uint32_t per_producer = scaled(1'000'000);
  constexpr std::uint64_t expected = std::uint64_t{producers} * per_producer;
  Queue q;
  std::atomic<std::uint64_t> not_ok{0};
  fifo_checker check(producers);
  std::uint64_t releases = 0;
  watchdog dog("mpsc_queue: 8 producers", time_limit, [&] {
    std::fprintf(stderr, "consumed %llu of %llu, size_approx %zu\n",
                 static_cast<unsigned long long>(check.total()),
                 static_cast<unsigned long long>(expected), q.size_approx());
  });
  std::latch start(producers + 1);
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (std::uint32_t seq = 0; seq < per_producer; ++seq) {
        if (q.try_emplace(encode(p, seq)) != push_result::ok) {
          not_ok.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  start.arrive_and_wait();
  while (check.total() + not_ok.load(std::memory_order_relaxed) < expected) {
    const std::size_t n = q.consume(256, [&check](std::uint64_t& v) noexcept { check(v); });
    if (n == 0) {
      if (q.release_storage()) ++releases;  // races with producers installing the next block
      std::this_thread::yield();
    }
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(not_ok.load(), 0u);
  EXPECT_EQ(check.errors(), 0u);
  EXPECT_EQ(check.total(), expected);
  for (std::uint32_t p = 0; p < producers; ++p)
    EXPECT_EQ(check.next(p), per_producer);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size_approx(), 0u);
  EXPECT_TRUE(q.release_storage());
  ::testing::Test::RecordProperty("storage_releases", static_cast<int>(releases));
  std::printf("successful release_storage calls: %llu\n",
              static_cast<unsigned long long>(releases));
}

TEST(mpsc_queue_stress, producers_keep_their_order_and_nothing_is_lost_while_storage_is_released) {
  run_producers_keep_order<mpsc_queue<std::uint64_t>>();
}

// The same with a small first block after every release (the actor-inbox shape).
TEST(
    mpsc_queue_stress,
    producers_keep_their_order_and_nothing_is_lost_while_storage_is_released_with_small_first_blocks) {
  run_producers_keep_order<
      mpsc_queue<std::uint64_t, 31, hollywood::ringbuffer::queue_layout::compact, 3>>();
}

template <class Queue>
void run_release_races_with_bursts() {
  constexpr std::uint32_t producers = 4;
  constexpr std::uint32_t burst = 40;  // more than a block per producer and round
  const std::uint32_t rounds = scaled(4000);
  mpsc_queue<std::uint64_t, 7> q;
  fifo_checker check(producers);
  std::uint64_t releases_during_bursts = 0;
  std::uint64_t refused_at_round_end = 0;
  watchdog dog("mpsc_queue: release_storage vs bursts", time_limit);
  std::barrier sync(producers + 1);
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      std::uint32_t seq = 0;
      for (std::uint32_t r = 0; r < rounds; ++r) {
        sync.arrive_and_wait();
        for (std::uint32_t i = 0; i < burst; ++i) {
          (void)q.try_emplace(encode(p, seq++));
          // Pace the pushes so the consumer catches up and finds the queue empty mid-burst.
          for (std::uint32_t k = 0; k < (seq * 7 + p) % 64; ++k)
            hollywood::cpu_relax();
        }
      }
    });
  }
  for (std::uint32_t r = 0; r < rounds; ++r) {
    sync.arrive_and_wait();
    const std::uint64_t round_start = std::uint64_t{r} * producers * burst;
    const std::uint64_t round_end = round_start + std::uint64_t{producers} * burst;
    unsigned attempts = 0;
    while (check.total() < round_end) {
      if (q.consume(64, [&check](std::uint64_t& v) noexcept { check(v); }) == 0) {
        // Once the round's first element arrived, producers are mid-burst: this release races
        // with their pushes (and with the installation of the next block).
        if (q.release_storage() && check.total() > round_start) ++releases_during_bursts;
        back_off(attempts);
      } else {
        attempts = 0;
      }
    }
    // Every element of the round is consumed, so every push of the round has returned and no
    // producer touches the queue until the next barrier: the release must succeed.
    if (!q.release_storage() || q.holds_storage()) ++refused_at_round_end;
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(check.errors(), 0u);
  EXPECT_EQ(check.total(), std::uint64_t{rounds} * producers * burst);
  EXPECT_EQ(refused_at_round_end, 0u);
  ::testing::Test::RecordProperty("releases_during_bursts",
                                  static_cast<int>(releases_during_bursts));
  std::printf("releases during bursts: %llu\n",
              static_cast<unsigned long long>(releases_during_bursts));
}

TEST(mpsc_queue_stress, release_storage_races_with_bursts_of_pushes) {
  run_release_races_with_bursts<mpsc_queue<std::uint64_t>>();
}

// The same with a small first block after every release (the actor-inbox shape).
TEST(mpsc_queue_stress, release_storage_races_with_bursts_of_pushes_with_small_first_blocks) {
  run_release_races_with_bursts<
      mpsc_queue<std::uint64_t, 31, hollywood::ringbuffer::queue_layout::compact, 3>>();
}

TEST(mpsc_queue_stress, close_racing_with_producers_leaves_each_element_consumed_or_rejected) {
  constexpr std::uint32_t producers = 8;
  constexpr std::uint32_t max_per_producer = 20'000;
  const std::uint32_t rounds = scaled(40) + 4;
  for (std::uint32_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE(round);
    tracked::constructed.store(0);
    tracked::destroyed.store(0);
    std::vector<std::uint32_t> accepted(producers, 0);
    std::atomic<std::uint64_t> accepted_after_closed{0};
    std::atomic<std::uint32_t> finished{0};
    fifo_checker check(producers);
    std::uint64_t released_while_closed = 0;
    // Close after 0%, 10%, ... 70% of the maximum was consumed: early, late and in between.
    const std::uint64_t close_at = std::uint64_t{round % 8} * producers * max_per_producer / 10;
    {
      mpsc_queue<tracked, 5> q;
      watchdog dog("mpsc_queue: close vs producers", time_limit);
      std::latch start(producers + 1);
      std::vector<std::thread> threads;
      for (std::uint32_t p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
          start.arrive_and_wait();
          std::uint32_t seq = 0;
          while (seq < max_per_producer && q.try_emplace(p, seq) == push_result::ok)
            ++seq;
          accepted[p] = seq;
          // Once a push saw `closed`, every later push must see it too.
          for (int i = 0; i < 3 && seq < max_per_producer; ++i) {
            if (q.try_emplace(p, seq) != push_result::closed) {
              accepted_after_closed.fetch_add(1, std::memory_order_relaxed);
            }
          }
          // Release pairs with the consumer's acquire load: accepted[p] is written.
          finished.fetch_add(1, std::memory_order_release);
        });
      }
      start.arrive_and_wait();
      auto take = [&check](tracked& t) noexcept { check(t.producer, t.seq); };
      for (;;) {
        if (!q.closed() && check.total() >= close_at) q.close();
        // Acquire pairs with the producers' release increments of `finished`.
        const bool all_finished = finished.load(std::memory_order_acquire) == producers;
        if (q.consume(128, take) == 0) {
          if (all_finished && q.empty()) break;
          // After close(), a block must be kept (a queue that holds none has nothing to keep).
          const bool closed_with_block = q.closed() && q.holds_storage();
          if (q.release_storage() && closed_with_block) ++released_while_closed;
          std::this_thread::yield();
        }
      }
      for (auto& t : threads)
        t.join();
      EXPECT_TRUE(q.closed());
      std::uint64_t sum = 0;
      for (std::uint32_t p = 0; p < producers; ++p) {
        EXPECT_EQ(check.next(p), accepted[p]) << "producer " << p;
        sum += accepted[p];
      }
      EXPECT_EQ(check.errors(), 0u);
      EXPECT_EQ(check.total(), sum);
      EXPECT_EQ(tracked::constructed.load(), sum);  // rejected pushes constructed nothing
      EXPECT_EQ(accepted_after_closed.load(), 0u);
      EXPECT_EQ(released_while_closed, 0u);
    }
    EXPECT_EQ(tracked::destroyed.load(), tracked::constructed.load());
  }
}

/// How the worker re-checks the queue after publishing "idle".
enum class recheck {
  /// `empty()` after the idle store.
  empty,
  /// The engine's idle path: `release_storage()`, then `consumer_position()`, publish idle, then
  /// `pushed_since(position)`. Also races release_storage() with every idle transition.
  pushed_since,
};

/// The engine's scheduling protocol, reduced: a sender pushes, then moves idle -> scheduled; the
/// worker runs a bounded turn, publishes idle, then re-checks the queue. The seq_cst CAS in
/// try_emplace and the seq_cst load in the re-check are the queue's half of the Dekker pair.
/// Checks that no wake-up is lost, FIFO per producer and the total.
void run_scheduler_protocol(recheck how) {
  enum : int { idle, scheduled, running };
  constexpr std::uint32_t producers = 4;
  constexpr std::uint32_t per_producer = scaled(1'000'000);
  mpsc_queue<std::uint64_t> q;
  std::atomic<int> state{idle};
  std::atomic<std::uint32_t> finished{0};
  fifo_checker check(producers);
  std::uint64_t turns = 0;
  bool lost_wake_up = false;
  watchdog dog("mpsc_queue: scheduler protocol", time_limit);
  std::latch start(producers + 1);
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (std::uint32_t seq = 0; seq < per_producer; ++seq) {
        (void)q.try_emplace(encode(p, seq));
        int expected = idle;
        if (state.load(std::memory_order_seq_cst) == idle) {
          state.compare_exchange_strong(expected, scheduled, std::memory_order_seq_cst);
        }
      }
      finished.fetch_add(1, std::memory_order_release);  // pairs with the worker's acquire
    });
  }
  start.arrive_and_wait();
  const std::uint64_t expected_total = std::uint64_t{producers} * per_producer;
  unsigned attempts = 0;
  while (check.total() < expected_total) {
    int expected = scheduled;
    if (!state.compare_exchange_strong(expected, running, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      // Not scheduled. Once every producer finished, nobody can schedule us any more: an
      // element left in the queue now was lost to a missed wake-up.
      if (finished.load(std::memory_order_acquire) == producers &&
          state.load(std::memory_order_seq_cst) == idle && !q.empty()) {
        lost_wake_up = true;
        break;
      }
      back_off(attempts);
      continue;
    }
    attempts = 0;
    ++turns;
    (void)q.consume(16, [&check](std::uint64_t& v) noexcept { check(v); });
    bool more = false;
    if (how == recheck::empty) {
      state.store(idle, std::memory_order_seq_cst);
      more = !q.empty();
    } else {
      (void)q.release_storage();
      const std::uint64_t position = q.consumer_position();
      state.store(idle, std::memory_order_seq_cst);
      more = q.pushed_since(position);
    }
    if (more) {
      int was_idle = idle;
      state.compare_exchange_strong(was_idle, scheduled, std::memory_order_seq_cst);
    }
  }
  for (auto& t : threads)
    t.join();
  EXPECT_FALSE(lost_wake_up) << "consumed " << check.total() << " of " << expected_total;
  EXPECT_EQ(check.errors(), 0u);
  EXPECT_EQ(check.total(), expected_total);
  ::testing::Test::RecordProperty("turns", static_cast<int>(turns));
}

TEST(mpsc_queue_stress, a_scheduler_rechecking_empty_never_loses_a_wake_up) {
  run_scheduler_protocol(recheck::empty);
}

TEST(mpsc_queue_stress, a_scheduler_rechecking_pushed_since_never_loses_a_wake_up) {
  run_scheduler_protocol(recheck::pushed_since);
}

}  // namespace
