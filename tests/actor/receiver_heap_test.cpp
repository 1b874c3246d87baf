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
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  const pid some = e->root();
  auto make = make_fn_producer([some](context&) { (void)some; });
  const std::unique_ptr<receiver> r = make();
  // The vtable pointer and the PID: malloc would take a 32-byte chunk for it.
  EXPECT_NE(receiver_heap(16), nullptr);
  const std::size_t before = receiver_heap(16)->stats().live_slots;
  std::vector<std::unique_ptr<receiver>> more;
  std::thread([&] {
    for (int i = 0; i < 100; ++i)
      more.push_back(make());
  }).join();
  EXPECT_GE(receiver_heap(16)->stats().live_slots, before + 100);
  more.clear();
}

struct large final : receiver {
  void receive(context&) override {}
  std::array<char, 200> bytes{};
};

struct alignas(64) over_aligned final : receiver {
  void receive(context&) override {}
  int value = 7;
};

TEST(receiver_heap, large_over_aligned_and_placed_receivers_keep_the_global_forms) {
  EXPECT_EQ(receiver_heap(sizeof(large)), nullptr);
  auto big = std::make_unique<large>();
  big->bytes.back() = 1;
  auto aligned = std::make_unique<over_aligned>();
  EXPECT_EQ(address(aligned.get()) % 64, 0u);
  EXPECT_EQ(aligned->value, 7);
  alignas(64) std::array<unsigned char, sizeof(over_aligned)> buffer{};
  auto* placed = new (buffer.data()) over_aligned;
  EXPECT_EQ(static_cast<void*>(placed), static_cast<void*>(buffer.data()));
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
    // Past the header (16 bytes) and the bitmap (2 KB) at the start of each span.
    EXPECT_GE(address(s) % slab_heap::span_bytes, 2048u + 16u);
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
