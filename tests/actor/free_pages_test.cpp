// SPDX-License-Identifier: MIT
// Giving free pages back is safe from any thread, whichever malloc the process uses: an idle
// engine does it from a worker, and two engines can go idle at the same moment.
#include "free_pages.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

// gcc says which sanitizer is on with macros, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOLLYWOOD_TEST_SANITIZED_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOLLYWOOD_TEST_SANITIZED_MALLOC 1
#endif
#endif

namespace {

using hollywood::actor::detail::give_free_pages_back;

/// Two threads give pages back at the same moment, in a fresh copy of this process: with
/// glibc's malloc_trim called unconditionally, that crashed about 1 in 60 under AddressSanitizer
/// (both threads set up glibc's unused heaps). 0 when the child ran cleanly.
int trim_twice_at_once_in_a_child() {
  const pid_t child = ::fork();
  if (child == 0) {
    std::atomic<bool> go{false};
    auto trim = [&go] {
      while (!go.load(std::memory_order_acquire)) {  // pairs with the release store below
      }
      (void)give_free_pages_back();
    };
    std::thread a(trim);
    std::thread b(trim);
    go.store(true, std::memory_order_release);
    a.join();
    b.join();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(free_pages, two_threads_giving_pages_back_at_once_never_break_the_allocator) {
  for (int attempt = 0; attempt < 300; ++attempt)
    ASSERT_EQ(trim_twice_at_once_in_a_child(), 0) << "attempt " << attempt;
}

TEST(free_pages, only_glibcs_own_malloc_is_trimmed) {
#ifdef HOLLYWOOD_TEST_SANITIZED_MALLOC
  EXPECT_FALSE(give_free_pages_back()) << "a sanitizer's malloc is in use: glibc's heaps are not";
#else
  EXPECT_TRUE(give_free_pages_back());
#endif
}

}  // namespace
