// SPDX-License-Identifier: MIT
#pragma once

// A `hollywood node` child process for tests: started with a piped stdout, ready once it printed
// its address, killed (SIGKILL) or stopped (SIGTERM) on demand, always reaped. The rest of its
// stdout is drained, so a node that keeps printing never blocks on a full pipe.

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace hollywood::test {

class node_process {
 public:
  /// Starts `hollywood node` with `args` and waits (up to 30 s) for its "listening on" line.
  explicit node_process(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe(out) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> all{HOLLYWOOD_CLI, "node"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, HOLLYWOOD_CLI, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    out_ = out[0];
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << HOLLYWOOD_CLI;
      pid_ = -1;
      return;
    }
    address_ = read_address();
    EXPECT_FALSE(address_.empty()) << "the node did not report its address";
    drain_ = std::thread([fd = out_] {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    });
  }
  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;
  ~node_process() {
    kill(SIGKILL);
    if (drain_.joinable()) drain_.join();  // the pipe reports end of file once the node is gone
    if (out_ >= 0) ::close(out_);
  }

  [[nodiscard]] const std::string& address() const noexcept { return address_; }

  /// Stops the process (SIGSTOP) and returns once it is stopped: the signal is asynchronous,
  /// and a node that still runs for a moment would answer as if it were not frozen.
  void freeze() const {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGSTOP);
    int status = 0;
    while (::waitpid(pid_, &status, WUNTRACED) == pid_ && !WIFSTOPPED(status)) {
    }
  }

  /// Lets a frozen process run again (SIGCONT) and returns once it does.
  void thaw() const {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    int status = 0;
    while (::waitpid(pid_, &status, WCONTINUED) == pid_ && !WIFCONTINUED(status)) {
    }
  }

  /// Sends `sig` and reaps the process.
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string read_address() {
    const std::string marker = "listening on ";
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return {};
      text.append(buf, static_cast<std::size_t>(n));
      const auto at = text.find(marker);
      const auto end = at == std::string::npos ? at : text.find('\n', at);
      if (end != std::string::npos)
        return text.substr(at + marker.size(), end - at - marker.size());
    }
    return {};
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::thread drain_;
  std::string address_;
};

}  // namespace hollywood::test
