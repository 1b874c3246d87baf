// SPDX-License-Identifier: MIT
#include <hollywood/actor/engine_config.hpp>

namespace hollywood::actor {

std::string engine_config::problem() const {
  if (address.empty()) return "address: must not be empty";
  if (address.find_first_of(" \t\r\n") != std::string::npos) {
    return "address: must not contain whitespace";
  }
  if (throughput == 0) return "throughput: must be at least 1";
  if (workers > 1024) return "workers: at most 1024";
  if (spin.count() < 0) return "spin: must not be negative";
  if (stream_poll.count() < 0) return "stream_poll: must not be negative";
  if (return_memory_after.count() <= 0) return "return_memory_after: must be positive";
  if (backoff_backlog == 0) return "backoff_backlog: must be at least 1";
  return {};
}

}  // namespace hollywood::actor
