// SPDX-License-Identifier: MIT
// Background work (faulting in the heaps' spans) moves off the CPU of the thread it serves, and
// the helper thread gets its affinity back afterwards. Each case runs on a thread of its own, so
// the test runner's affinity is never touched.
#include "cpu_affinity.hpp"

#include <gtest/gtest.h>

#include <sched.h>

#include <thread>

namespace {

using hollywood::actor::detail::current_cpu;
using hollywood::actor::detail::leave_cpu_if_on;
using hollywood::actor::detail::scoped_cpu_avoidance;

cpu_set_t affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  return set;
}

template <class F>
void on_own_thread(F&& body) {
  std::thread t(std::forward<F>(body));
  t.join();
}

class cpu_affinity : public ::testing::Test {
 protected:
  const cpu_set_t all_ = affinity();  // the test runner's, which each case's thread inherits
};

/// Moving off a CPU needs another one to move to.
class cpu_affinity_on_two : public cpu_affinity {
 protected:
  void SetUp() override {
    if (CPU_COUNT(&all_) < 2) GTEST_SKIP() << "this process may use one CPU only";
  }
};

TEST_F(cpu_affinity_on_two, the_scope_runs_off_the_cpu_it_avoids_and_restores_the_affinity) {
  on_own_thread([&] {
    const int busy = current_cpu();
    ASSERT_GE(busy, 0);
    {
      const scoped_cpu_avoidance elsewhere(busy);
      const cpu_set_t during = affinity();
      EXPECT_FALSE(CPU_ISSET(busy, &during));
      EXPECT_EQ(CPU_COUNT(&during), CPU_COUNT(&all_) - 1);
      // The kernel migrates the thread before the affinity call returns.
      EXPECT_NE(current_cpu(), busy);
    }
    cpu_set_t after = affinity();
    EXPECT_TRUE(CPU_EQUAL(&after, &all_));
  });
}

TEST_F(cpu_affinity_on_two, leaving_a_cpu_moves_the_thread_and_keeps_its_affinity) {
  on_own_thread([&] {
    const int here = current_cpu();
    ASSERT_GE(here, 0);
    leave_cpu_if_on(here);
    EXPECT_NE(current_cpu(), here);
    cpu_set_t after = affinity();
    EXPECT_TRUE(CPU_EQUAL(&after, &all_));
    leave_cpu_if_on(-1);  // unknown: nothing to do
    after = affinity();
    EXPECT_TRUE(CPU_EQUAL(&after, &all_));
  });
}

TEST_F(cpu_affinity, a_thread_bound_to_one_cpu_stays_there) {
  on_own_thread([] {
    const int only = current_cpu();
    ASSERT_GE(only, 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(only, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
    {
      const scoped_cpu_avoidance elsewhere(only);
      cpu_set_t during = affinity();
      EXPECT_TRUE(CPU_EQUAL(&during, &one));
      EXPECT_EQ(current_cpu(), only);
    }
    leave_cpu_if_on(only);
    EXPECT_EQ(current_cpu(), only);
    cpu_set_t after = affinity();
    EXPECT_TRUE(CPU_EQUAL(&after, &one));
  });
}

TEST_F(cpu_affinity, an_unknown_or_foreign_cpu_changes_nothing) {
  on_own_thread([&] {
    for (const int cpu : {-1, CPU_SETSIZE, CPU_SETSIZE + 7}) {
      const scoped_cpu_avoidance elsewhere(cpu);
      cpu_set_t during = affinity();
      EXPECT_TRUE(CPU_EQUAL(&during, &all_)) << cpu;
    }
    // A CPU the thread may not use anyway: nothing to avoid.
    int outside = -1;
    for (int c = 0; c < CPU_SETSIZE && outside < 0; ++c) {
      if (!CPU_ISSET(c, &all_)) outside = c;
    }
    if (outside >= 0) {
      const scoped_cpu_avoidance elsewhere(outside);
      cpu_set_t during = affinity();
      EXPECT_TRUE(CPU_EQUAL(&during, &all_));
    }
  });
}

}  // namespace
