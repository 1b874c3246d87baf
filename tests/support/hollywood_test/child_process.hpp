// SPDX-License-Identifier: MIT
#pragma once

// A child process for the cross-process tests (`hollywood kafka-broker`, `hollywood eventbus`,
// `hollywood node` when its output matters beyond the first line):
// started with its stdout collected line by line on a thread (so a chatty child never blocks on
// a full pipe), frozen and thawed, stopped with a signal of the test's choice and always reaped.

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace hollywood::test {

class child_process {
 public:
  explicit child_process(std::vector<std::string> argv) {
    int out[2];
    if (::pipe(out) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      ADD_FAILURE() << "cannot start " << argv[0];
      pid_ = -1;
      return;
    }
    reader_ = std::thread([this, fd = out[0]] { read_lines(fd); });
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() {
    stop(SIGKILL);
    if (reader_.joinable()) reader_.join();
  }

  /// Waits until some stdout line contains `text`; returns that line (empty on timeout).
  std::string wait_for_line(const std::string& text,
                            std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
    std::unique_lock lock(mu_);
    std::string found;
    cv_.wait_for(lock, deadline, [&] {
      for (const auto& l : lines_) {
        if (l.find(text) != std::string::npos) {
          found = l;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  /// Sends `sig`, reaps the process and returns its exit status (-1 if killed by a signal).
  int stop(int sig) {
    if (pid_ <= 0) return status_;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (reader_.joinable()) reader_.join();
    return status_;
  }

  /// Stops the process (SIGSTOP) and returns once it is stopped: the signal is asynchronous,
  /// and a process that still runs for a moment would answer as if it were not frozen.
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

  /// Waits for the process to exit by itself; returns its exit status (-1: killed or timeout).
  int wait_exit(std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (pid_ > 0 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (reader_.joinable()) reader_.join();
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's exit
    }
    return pid_ > 0 ? -1 : status_;
  }

 private:
  void read_lines(int fd) {
    std::string partial;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
      partial.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
        {
          std::lock_guard lock(mu_);
          lines_.push_back(partial.substr(0, nl));
        }
        cv_.notify_all();
        partial.erase(0, nl + 1);
      }
    }
    ::close(fd);
  }

  pid_t pid_ = -1;
  int status_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::thread reader_;
};

}  // namespace hollywood::test
