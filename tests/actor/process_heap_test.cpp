// SPDX-License-Identifier: MIT
// process_heap: cache-line slots for processes, per-thread magazines that go back when a thread
// exits, spans faulted in ahead by another thread, and free pages given back to the OS.
#include "process_heap.hpp"

#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <hollywood_test/wait.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
namespace ph = hollywood::actor::detail::process_heap;
using hollywood::actor::detail::slab_heap;

slab_heap& heap() {
  return ph::slots();
}
using namespace std::chrono_literals;
using hollywood::test::wait_until;

/// For `populate_ahead` called by a test, long after anything refilled from the heap.
constexpr std::chrono::nanoseconds however_idle = std::chrono::nanoseconds::max();

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

/// Whether the page holding `p` is in memory.
bool resident(const void* p) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  unsigned char in = 0;
  EXPECT_EQ(::mincore(reinterpret_cast<void*>(address(p) & ~(page - 1)), 1, &in), 0);
  return (in & 1U) != 0;
}

/// Runs `fn` on a thread of its own and joins it: its magazine goes back when it exits.
template <class F>
void on_a_thread(F&& fn) {
  std::thread t(std::forward<F>(fn));
  t.join();
}

TEST(process_heap, slots_are_whole_cache_lines_distinct_and_reused_newest_first) {
  std::vector<void*> slots;
  on_a_thread([&] {
    for (int i = 0; i < 100; ++i) {
      void* s = heap().allocate();
      EXPECT_EQ(address(s) % 64, 0u);
      std::memset(s, 0xab, ph::slot_bytes);  // all of it is ours
      slots.push_back(s);
    }
    // A thread's first slots are neighbours: its spawns share pages and lines with nobody.
    EXPECT_EQ(address(slots[1]) - address(slots[0]), ph::slot_bytes);
    heap().deallocate(slots[42]);
    EXPECT_EQ(heap().allocate(), slots[42]);  // still in this core's cache
    for (void* s : slots)
      heap().deallocate(s);
  });
  EXPECT_EQ(std::set<void*>(slots.begin(), slots.end()).size(), slots.size());
}

TEST(process_heap, slots_freed_on_another_thread_go_back_when_that_thread_exits) {
  const std::size_t before = heap().stats().live_slots;
  std::vector<void*> slots(1000);
  on_a_thread([&] {
    for (auto& s : slots)
      s = heap().allocate();
  });
  EXPECT_EQ(heap().stats().live_slots, before + slots.size());
  on_a_thread([&] {
    for (void* s : slots)
      heap().deallocate(s);
  });
  EXPECT_EQ(heap().stats().live_slots, before);
}

TEST(process_heap, pages_whose_slots_are_all_free_go_back_to_the_os_and_come_back_zeroed) {
  std::vector<void*> slots(5000);
  on_a_thread([&] {
    for (auto& s : slots) {
      s = heap().allocate();
      std::memset(s, 0xcd, ph::slot_bytes);
    }
  });
  // Keep one slot: its page stays; the others' pages go.
  void* kept = slots[2500];
  ASSERT_TRUE(resident(slots[100]));
  on_a_thread([&] {
    for (void* s : slots) {
      if (s != kept) heap().deallocate(s);
    }
  });
  const std::uint64_t released_before = heap().stats().released_bytes;
  const std::size_t bytes = heap().give_back_free_pages();
  // All but the pages of the kept slot, of each span's header and of the neighbours at the ends.
  EXPECT_GE(bytes, slots.size() * ph::slot_bytes - 16 * 4096);
  EXPECT_EQ(heap().stats().released_bytes, released_before + bytes);
  EXPECT_FALSE(resident(slots[100]));
  EXPECT_TRUE(resident(kept));
  EXPECT_EQ(static_cast<unsigned char*>(kept)[0], 0xcd);
  EXPECT_EQ(heap().give_back_free_pages(), 0u) << "nothing more was freed";
  on_a_thread([&] {
    void* again = heap().allocate();
    EXPECT_TRUE(std::all_of(static_cast<unsigned char*>(again),
                            static_cast<unsigned char*>(again) + ph::slot_bytes,
                            [](unsigned char c) { return c == 0 || c == 0xcd; }));
    heap().deallocate(again);
  });
  heap().deallocate(kept);
}

TEST(process_heap, a_span_faulted_in_ahead_is_ready_once_and_asked_for_again_when_taken) {
  heap().populate_ahead(however_idle);  // whatever earlier tests left: now two spans are ready
  const hollywood::actor::detail::heap_stats first = heap().stats();
  EXPECT_EQ(first.ready_spans, 2u);
  heap().populate_ahead(however_idle);  // two are enough
  EXPECT_EQ(heap().stats().populated, first.populated);
  (void)heap().populate_wanted();  // clear a request earlier tests may have left
  // Take slots until the ready span is in use; it was faulted in before anything touched it.
  std::vector<void*> slots;
  bool was_resident = true;
  on_a_thread([&] {
    while (heap().stats().ready_spans != 0) {
      slots.push_back(heap().allocate());
    }
    // The refill that took it may have finished another span first: these come from it.
    for (int i = 0; i < 2 * 16; ++i)
      slots.push_back(heap().allocate());
    was_resident = resident(static_cast<char*>(slots.back()) + 8 * 4096);
  });
  EXPECT_TRUE(was_resident);
  EXPECT_TRUE(heap().populate_wanted()) << "the last ready span was taken";
  EXPECT_FALSE(heap().populate_wanted()) << "asked once";
  on_a_thread([&] {
    for (void* s : slots)
      heap().deallocate(s);
  });
}

TEST(process_heap, a_heap_nobody_refilled_from_lately_gets_no_span_faulted_in_ahead) {
  // Use up the spans kept ready, so that one is wanted.
  std::vector<void*> slots;
  on_a_thread([&] {
    while (heap().stats().ready_spans != 0) {
      slots.push_back(heap().allocate());
    }
  });
  const hollywood::actor::detail::heap_stats before = heap().stats();
  // A request served after the burst that made it: the last refill is older than the limit.
  heap().populate_ahead(0ns);
  EXPECT_EQ(heap().stats().populated, before.populated);
  EXPECT_EQ(heap().stats().ready_spans, 0u);
  // The same request while refills are recent enough is served.
  heap().populate_ahead(however_idle);
  EXPECT_GT(heap().stats().populated, before.populated);
  EXPECT_GT(heap().stats().ready_spans, 0u);
  (void)heap().populate_wanted();  // the taking asked for it; nobody else serves it here
  on_a_thread([&] {
    for (void* s : slots)
      heap().deallocate(s);
  });
}

TEST(process_heap, threads_trading_slots_lose_none) {
  (void)heap().give_back_free_pages();  // empties this thread's magazine, as at the end
  const std::size_t before = heap().stats().live_slots;
  constexpr int rounds = 20000;
  std::vector<std::vector<void*>> handed(2);
  std::mutex mu;
  auto worker = [&](int me) {
    std::vector<void*> mine;
    for (int i = 0; i < rounds; ++i) {
      void* s = heap().allocate();
      std::memset(s, me, 16);
      mine.push_back(s);
      if (mine.size() == 64) {
        std::lock_guard lock(mu);
        handed[me ^ 1].insert(handed[me ^ 1].end(), mine.begin(), mine.end());
        mine.clear();
        for (void* t : handed[me])
          heap().deallocate(t);
        handed[me].clear();
      }
    }
    for (void* t : mine)
      heap().deallocate(t);
  };
  std::thread a(worker, 0);
  std::thread b(worker, 1);
  a.join();
  b.join();
  for (auto& h : handed) {
    for (void* s : h)
      heap().deallocate(s);
  }
  (void)heap().give_back_free_pages();
  EXPECT_EQ(heap().stats().live_slots, before);
}

TEST(process_heap, an_engine_spawning_a_burst_has_its_timer_thread_fault_spans_in_ahead) {
  auto e = engine::create(engine_config{}.with_workers(2)).value();
  const hollywood::actor::detail::heap_stats before = heap().stats();
  // The timer thread serves a request only while the burst goes on (populate_idle_after), so
  // the burst goes on until it did: past every free slot earlier tests left, span by span.
  const std::size_t per_span = slab_heap::span_bytes / ph::slot_bytes;
  std::vector<pid> actors;
  EXPECT_TRUE(wait_until([&] {
    for (std::size_t i = 0; i < per_span; ++i)
      actors.push_back(e->spawn_fn([](context&) {}, "burst"));
    return heap().stats().populated > before.populated;
  }));
}

TEST(process_heap, an_idle_engine_gives_back_the_pages_of_actors_that_stopped) {
  auto e = engine::create(
               engine_config{}.with_workers(2).with_memory_return(memory_return::when_idle, 20ms))
               .value();
  std::vector<pid> actors;
  for (int i = 0; i < 20000; ++i)
    actors.push_back(e->spawn_fn([](context&) {}, "burst"));
  const std::uint64_t returned = e->stats().memory_returned_bytes;
  // Released before they stop, so that the workers free them, before the engine idles.
  std::vector<completion> stopped;
  for (const pid& a : actors)
    stopped.push_back(e->stop(a));
  actors.clear();
  for (const completion& c : stopped)
    c.wait();
  // 20000 slots are ~3.7 MB: most of it goes back once the engine idles.
  EXPECT_TRUE(wait_until([&] { return e->stats().memory_returned_bytes > returned + 3'000'000; }));
}

#if defined(__SANITIZE_ADDRESS__)
TEST(process_heap_death, a_freed_slot_is_poisoned_for_address_sanitizer) {
  EXPECT_DEATH(
      {
        void* s = heap().allocate();
        heap().deallocate(s);
        static_cast<volatile char*>(s)[100] = 1;
      },
      "use-after-poison");
}
#endif

}  // namespace
