// SPDX-License-Identifier: MIT
#include "core_roundtrip.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace hollywood::tools {

namespace {

bool pin_to(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
}

/// One round of `trips` round trips with a thread on `pong_cpu`, from the calling thread; ns per
/// round trip.
double one_round(int pong_cpu, std::uint32_t trips) {
  alignas(64) std::atomic<std::uint32_t> line{0};
  std::thread pong([&] {
    (void)pin_to(pong_cpu);
    for (std::uint32_t i = 0; i < trips; ++i) {
      // Acquire pairs with the ping's release store of the odd value, and the reverse.
      while (line.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      line.store(2 * i + 2, std::memory_order_release);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < trips; ++i) {
    line.store(2 * i + 1, std::memory_order_release);
    while (line.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  const auto end = std::chrono::steady_clock::now();
  pong.join();
  return std::chrono::duration<double, std::nano>(end - start).count() / trips;
}

}  // namespace

std::optional<double> core_roundtrip_ns() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return std::nullopt;
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  }
  if (cpus.size() < 2) return std::nullopt;
  // On a thread of its own, so the caller keeps its affinity.
  std::array<double, 5> rounds{};
  std::thread ping([&] {
    (void)pin_to(cpus[0]);
    for (double& r : rounds)
      r = one_round(cpus[1], 50'000);
  });
  ping.join();
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

}  // namespace hollywood::tools
