// SPDX-License-Identifier: MIT
// Receivers of up to 128 bytes live in slab heaps, one per size class; larger, over-aligned and
// placement-constructed ones keep the global forms. Also the slab heap's header and bitmap with
// slots smaller than a cache line.
#include "receiver_heap.hpp"

#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <hollywood_test/wait.hpp>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using hollywood::actor::detail::receiver_heap;
using hollywood::actor::detail::slab_heap;

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

/// A receiver of exactly `Bytes` bytes (more than 16), whose destructor reports its payload.
template <std::size_t Bytes>
struct sized final : receiver {
  explicit sized(int* seen_on_destruction) : seen(seen_on_destruction) {
    std::memset(payload.data(), 0x5a, payload.size());
  }
  ~sized() override { *seen += payload.back() == 0x5a ? 1 : 0; }
  void receive(context&) override {}

  int* seen;
  std::array<unsigned char, Bytes - sizeof(receiver) - sizeof(int*)> payload;
};

template <std::size_t Bytes>
void a_receiver_of(std::size_t expected_class) {
  static_assert(sizeof(sized<Bytes>) == Bytes);
  slab_heap* heap = receiver_heap(Bytes);
  ASSERT_NE(heap, nullptr);
  EXPECT_EQ(heap->slot_bytes(), expected_class) << Bytes << " bytes";
  int destroyed = 0;
  const std::size_t before = heap->stats().live_slots;
  std::vector<std::unique_ptr<receiver>> made;
  std::thread maker([&] {
    for (int i = 0; i < 1000; ++i)
      made.push_back(std::make_unique<sized<Bytes>>(&destroyed));
  });
  maker.join();
  // From the class's heap: distinct slots, aligned as its size allows.
  EXPECT_GE(heap->stats().live_slots, before + 1000);
  std::set<std::uintptr_t> seen;
  for (const auto& r : made) {
    seen.insert(address(r.get()));
    EXPECT_EQ(address(r.get()) % 16, 0u);
  }
  EXPECT_EQ(seen.size(), made.size());
  // Freed on another thread, which hands the slots back when it exits.
  std::thread freer([&] { made.clear(); });
  freer.join();
  EXPECT_EQ(destroyed, 1000);
  EXPECT_EQ(heap->stats().live_slots, before);
}

TEST(receiver_heap, each_size_class_keeps_its_receivers_and_takes_them_back) {
  a_receiver_of<24>(32);
  a_receiver_of<32>(32);
  a_receiver_of<40>(48);
  a_receiver_of<64>(64);
  a_receiver_of<72>(96);
  a_receiver_of<128>(128);
}

TEST(receiver_heap, a_lambda_capturing_a_pid_takes_sixteen_bytes) {
  const pid some("local", "some/1");
  auto make = make_fn_producer([some](context&) { (void)some; });
  // The vtable pointer and the PID: malloc would take a 32-byte chunk for it.
  slab_heap* heap = receiver_heap(16);
  ASSERT_NE(heap, nullptr);
  const std::size_t before = heap->stats().live_slots;
  std::vector<std::unique_ptr<receiver>> made;
  std::thread([&] {
    for (int i = 0; i < 100; ++i)
      made.push_back(make());
  }).join();
  EXPECT_GE(heap->stats().live_slots, before + 100);
  made.clear();
}

struct large final : receiver {
  void receive(context&) override {}
  std::array<char, 200> bytes{};
};

struct alignas(64) over_aligned final : receiver {
  void receive(context&) override {}
  int value = 7;
};

TEST(receiver_heap, large_and_over_aligned_receivers_keep_the_global_forms) {
  static_assert(sizeof(over_aligned) == 64);  // the size of a slab class, whose slots align to 64
  EXPECT_EQ(receiver_heap(sizeof(large)), nullptr);
  const std::size_t slab_64 = receiver_heap(64)->stats().live_slots;
  const std::size_t slab_128 = receiver_heap(128)->stats().live_slots;
  // On a thread of its own: a slab allocation there would take a batch from the shared state.
  std::thread([&] {
    auto big = std::make_unique<large>();
    big->bytes.back() = 1;
    auto aligned = std::make_unique<over_aligned>();
    EXPECT_EQ(address(aligned.get()) % 64, 0u);
    EXPECT_EQ(aligned->value, 7);
    EXPECT_EQ(receiver_heap(64)->stats().live_slots, slab_64) << "the aligned global form";
    EXPECT_EQ(receiver_heap(128)->stats().live_slots, slab_128) << "the global form";
  }).join();
  // Placement new is not hidden by the class's forms.
  alignas(64) std::array<unsigned char, sizeof(over_aligned)> buffer{};
  auto* placed = new (buffer.data()) over_aligned;
  EXPECT_EQ(placed->value, 7);
  placed->~over_aligned();
}

TEST(receiver_heap, actors_restarting_many_times_return_every_receiver) {
  struct crashy final : receiver {
    void receive(context& ctx) override {
      if (ctx.is<int>()) throw std::runtime_error("again");
    }
    std::array<char, 24> state{};
  };
  slab_heap* heap = receiver_heap(sizeof(crashy));
  ASSERT_NE(heap, nullptr);
  heap->close_magazine();
  const std::size_t before = heap->stats().live_slots;
  {
    auto e = engine::create(engine_config{}.with_workers(2)).value();
    std::vector<pid> actors;
    for (int i = 0; i < 50; ++i) {
      actors.push_back(e->spawn(make_producer<crashy>(), "crashy",
                                spawn_options{}.with_max_restarts(1000).with_restart_delay({})));
    }
    for (int round = 0; round < 20; ++round) {
      for (const pid& a : actors)
        e->send(a, 1);
    }
    auto restarts = [&] {
      for (const kind_stats& k : e->stats().per_kind) {
        if (k.kind == "crashy") return k.restarts;
      }
      return std::uint64_t{0};
    };
    EXPECT_TRUE(hollywood::test::wait_until([&] { return restarts() == 50 * 20; }));
  }
  // Every instance, the first and each restart's, went back: the workers' magazines when they
  // exited, this thread's now.
  heap->close_magazine();
  EXPECT_EQ(heap->stats().live_slots, before);
}

TEST(slab_heap, small_slots_never_overlap_the_span_header_and_their_pages_go_back) {
  // A heap of its own, in the index no other heap uses: 16-byte slots, a 2 KB bitmap.
  static slab_heap* const heap = new slab_heap(16, slab_heap::max_heaps - 1);
  const std::size_t per_span = slab_heap::span_bytes / 16;
  std::vector<void*> slots;
  std::thread([&] {
    for (std::size_t i = 0; i < 2 * per_span; ++i) {
      void* s = heap->allocate();
      std::memset(s, 0xee, 16);
      slots.push_back(s);
    }
  }).join();
  std::set<void*> distinct(slots.begin(), slots.end());
  EXPECT_EQ(distinct.size(), slots.size());
  for (void* s : slots) {
    // Past the header (over 16 bytes) and the bitmap (2 KB) at the start of each span, in
    // 16-byte steps.
    EXPECT_GE(address(s) % slab_heap::span_bytes, 2048u + 32u);
  }
  std::thread([&] {
    for (void* s : slots)
      heap->deallocate(s);
  }).join();
  EXPECT_EQ(heap->stats().live_slots, 0u);
  // Every page but each span's first (its header) goes back.
  EXPECT_GE(heap->give_back_free_pages(), 2 * (slab_heap::span_bytes - 4096));
  // The rest of the header's page kept its slots' bytes; the pages after it come back zeroed.
  std::vector<void*> again;
  std::thread([&] {
    do {
      again.push_back(heap->allocate());
    } while (address(again.back()) % slab_heap::span_bytes < 4096);
    EXPECT_EQ(std::memcmp(again.back(), std::array<char, 16>{}.data(), 16), 0);
    for (void* s : again)
      heap->deallocate(s);
  }).join();
}

#if defined(__SANITIZE_ADDRESS__)
TEST(receiver_heap_death, a_receiver_deleted_twice_is_reported) {
  EXPECT_DEATH(
      {
        int destroyed = 0;
        auto* r = new sized<64>(&destroyed);
        void* volatile kept = r;  // hides the second free from the compiler's use-after-free check
        receiver::operator delete(r, sizeof(sized<64>));
        receiver::operator delete(kept, sizeof(sized<64>));
      },
      "freed twice");
}

TEST(receiver_heap_death, the_bytes_past_a_receiver_in_its_slot_are_poisoned) {
  EXPECT_DEATH(
      {
        int destroyed = 0;
        auto* r = new sized<40>(&destroyed);  // in a 48-byte slot
        static_cast<volatile unsigned char*>(static_cast<void*>(r))[44] = 1;
      },
      "use-after-poison");
}

TEST(receiver_heap_death, a_deleted_receiver_is_poisoned_for_address_sanitizer) {
  EXPECT_DEATH(
      {
        int destroyed = 0;
        auto* r = new sized<64>(&destroyed);
        delete r;
        static_cast<volatile unsigned char*>(static_cast<void*>(r))[40] = 1;
      },
      "use-after-poison");
}
#endif

}  // namespace
