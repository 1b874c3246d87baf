// SPDX-License-Identifier: MIT
#pragma once

// The threads that run blocking handlers, so they never occupy an engine worker. Jobs queue
// without a bound of their own: the bus's in-flight limit bounds them.

#include <hollywood/thread_annotations.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

/// @threadsafe
class handler_pool {
 public:
  explicit handler_pool(std::size_t threads);
  handler_pool(const handler_pool&) = delete;
  handler_pool& operator=(const handler_pool&) = delete;
  /// Runs `stop()`.
  ~handler_pool();

  /// Queues `job`; returns false after `stop()`.
  bool submit(std::function<void()> job);

  /// Lets running and queued jobs finish, then joins the threads. Idempotent.
  void stop();

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_ HOLLYWOOD_GUARDED_BY(mu_);
  bool stopping_ HOLLYWOOD_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace hollywood::eventbus::kafka::detail
