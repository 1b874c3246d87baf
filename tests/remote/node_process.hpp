// SPDX-License-Identifier: MIT
#pragma once

// A `hollywood node` child process for tests: ready once it printed its address, frozen,
// killed (SIGKILL) or stopped (SIGTERM) on demand, always reaped.

#include <gtest/gtest.h>

#include <chrono>
#include <hollywood_test/child_process.hpp>
#include <string>
#include <vector>

namespace hollywood::test {

class node_process {
 public:
  /// Starts `hollywood node` with `args` and waits (up to 30 s) for its "listening on" line.
  explicit node_process(const std::vector<std::string>& args) : child_(argv(args)) {
    const std::string marker = "listening on ";
    const std::string line = child_.wait_for_line(marker, std::chrono::seconds(30));
    if (const auto at = line.find(marker); at != std::string::npos) {
      address_ = line.substr(at + marker.size());
    }
    EXPECT_FALSE(address_.empty()) << "the node did not report its address";
  }

  [[nodiscard]] const std::string& address() const noexcept { return address_; }

  /// See child_process::freeze and thaw.
  void freeze() const { child_.freeze(); }
  void thaw() const { child_.thaw(); }

  /// Sends `sig` and reaps the process.
  void kill(int sig) { (void)child_.stop(sig); }

 private:
  static std::vector<std::string> argv(const std::vector<std::string>& args) {
    std::vector<std::string> all{HOLLYWOOD_CLI, "node"};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  child_process child_;
  std::string address_;
};

}  // namespace hollywood::test
