// SPDX-License-Identifier: MIT
// Micro-benchmarks of the ringbuffer layer: spsc_ring, mpsc_ring and mpsc_queue, each next to
// a std::mutex + std::deque baseline with the same interface.
//
//   <name>/single_thread/push_pop       one push then one pop per item, on one thread
//   <name>/single_thread/burst64        64 pushes then a batch consume of 64, on one thread
//   <name>/cross_thread/producers:P     P producer threads push 2^20 items in all; the
//                                       benchmark thread consumes in batches of up to 256
//
// Producers that find a bounded ring full spin briefly, then yield. Items/s is the headline;
// cross-thread figures use wall-clock time and vary with scheduling on small machines, so
// compare ratios from one run (bench/README.md gives the protocol).

#include <hollywood/cpu_relax.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>
#include <hollywood/ringbuffer/mpsc_ring.hpp>
#include <hollywood/ringbuffer/spsc_ring.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using hollywood::ringbuffer::mpsc_queue;
using hollywood::ringbuffer::mpsc_ring;
using hollywood::ringbuffer::push_result;
using hollywood::ringbuffer::spsc_ring;

using item = std::uint64_t;

constexpr std::size_t ring_capacity = 1024;
constexpr std::uint64_t transfer_items = std::uint64_t{1} << 20;
constexpr std::size_t consume_batch = 256;

/// The baseline: an unbounded FIFO behind one mutex. `consume` moves up to a batch out under
/// the lock and runs the callback outside it, as a careful lock-based inbox would.
class locked_deque {
 public:
  bool try_push(item v) {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(v);
    return true;
  }

  bool try_pop(item& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (items_.empty()) return false;
    out = items_.front();
    items_.pop_front();
    return true;
  }

  template <class F>
  std::size_t consume(std::size_t max, F&& fn) {
    item buffer[consume_batch];
    std::size_t n = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (n < max && n < consume_batch && !items_.empty()) {
        buffer[n++] = items_.front();
        items_.pop_front();
      }
    }
    for (std::size_t i = 0; i < n; ++i)
      fn(buffer[i]);
    return n;
  }

 private:
  std::mutex mutex_;
  std::deque<item> items_;
};

// -- one interface over the four queues -------------------------------------------

bool push(spsc_ring<item>& q, item v) {
  return q.try_push(v);
}

bool push(mpsc_ring<item>& q, item v) {
  return q.try_push(v) == push_result::ok;
}

bool push(mpsc_queue<item>& q, item v) {
  return q.try_push(v) == push_result::ok;
}

bool push(locked_deque& q, item v) {
  return q.try_push(v);
}

template <class Queue>
std::unique_ptr<Queue> make_queue() {
  if constexpr (std::is_constructible_v<Queue, std::size_t>) {
    return std::make_unique<Queue>(ring_capacity);
  } else {
    return std::make_unique<Queue>();
  }
}

void back_off(unsigned& attempts) {
  if (++attempts < 64) {
    hollywood::cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

// -- benchmarks ------------------------------------------------------------------

template <class Queue>
void single_thread_push_pop(benchmark::State& state) {
  auto q = make_queue<Queue>();
  item next = 0;
  item sum = 0;
  for (auto _ : state) {
    if (!push(*q, next++)) state.SkipWithError("push failed on an empty queue");
    item out = 0;
    if (!q->try_pop(out)) state.SkipWithError("pop failed after a push");
    sum += out;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class Queue>
void single_thread_burst64(benchmark::State& state) {
  constexpr std::size_t burst = 64;
  auto q = make_queue<Queue>();
  item next = 0;
  item sum = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < burst; ++i) {
      if (!push(*q, next++)) state.SkipWithError("push failed below capacity");
    }
    const std::size_t n = q->consume(burst, [&sum](item& v) noexcept { sum += v; });
    if (n != burst) state.SkipWithError("consume returned a short batch");
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * burst));
}

template <class Queue>
void cross_thread(benchmark::State& state) {
  const auto producers = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t per_producer = transfer_items / producers;
  const std::uint64_t total = per_producer * producers;
  auto q = make_queue<Queue>();
  for (auto _ : state) {
    std::latch start(static_cast<std::ptrdiff_t>(producers + 1));
    std::vector<std::thread> threads;
    threads.reserve(producers);
    for (std::uint64_t p = 0; p < producers; ++p) {
      threads.emplace_back([&q, &start, per_producer] {
        start.arrive_and_wait();
        unsigned attempts = 0;
        for (item i = 1; i <= per_producer; ++i) {
          while (!push(*q, i))
            back_off(attempts);
          attempts = 0;
        }
      });
    }
    start.arrive_and_wait();
    std::uint64_t received = 0;
    item sum = 0;
    unsigned attempts = 0;
    while (received < total) {
      const std::size_t n = q->consume(consume_batch, [&sum](item& v) noexcept { sum += v; });
      if (n == 0) {
        back_off(attempts);
      } else {
        attempts = 0;
        received += n;
      }
    }
    for (auto& t : threads)
      t.join();
    if (sum != producers * (per_producer * (per_producer + 1) / 2)) {
      state.SkipWithError("lost or duplicated items");
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * total));
}

template <class Queue>
void register_queue(const std::string& name, const std::vector<int>& producer_counts) {
  benchmark::RegisterBenchmark((name + "/single_thread/push_pop").c_str(),
                               single_thread_push_pop<Queue>);
  benchmark::RegisterBenchmark((name + "/single_thread/burst64").c_str(),
                               single_thread_burst64<Queue>);
  auto* b = benchmark::RegisterBenchmark((name + "/cross_thread").c_str(), cross_thread<Queue>);
  b->ArgName("producers")->UseRealTime()->Unit(benchmark::kMillisecond);
  for (int p : producer_counts)
    b->Arg(p);
}

}  // namespace

int main(int argc, char** argv) {
  register_queue<spsc_ring<item>>("spsc_ring", {1});
  register_queue<mpsc_ring<item>>("mpsc_ring", {1, 2, 4, 8});
  register_queue<mpsc_queue<item>>("mpsc_queue", {1, 2, 4, 8});
  register_queue<locked_deque>("mutex_deque", {1, 2, 4, 8});
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
