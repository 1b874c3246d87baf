// SPDX-License-Identifier: MIT
#pragma once

// Two-process workloads (remote-*): the measuring process starts this same program again with
// `--serve`; the server prints one line ("ready <address>") on its stdout, serves until the
// measuring process closes the server's stdin (or dies), then exits.

#include <optional>
#include <string>
#include <vector>

namespace hollywood::bench {

/// A server half started by the measuring process. @threadsafe: no (one owner).
class peer_process {
 public:
  /// Starts this program (/proc/self/exe) with `args` and waits up to 30 s for its first line.
  /// Returns nothing (and prints why on stderr) if it does not start or does not answer.
  static std::optional<peer_process> start(const std::vector<std::string>& args);

  peer_process(peer_process&& other) noexcept;
  peer_process& operator=(peer_process&&) = delete;
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;
  /// Closes the server's stdin and reaps it (SIGKILL after 10 s).
  ~peer_process();

  /// The first line the server printed, without the newline.
  [[nodiscard]] const std::string& line() const noexcept { return line_; }

 private:
  peer_process(int pid, int in, int out, std::string line) noexcept
      : pid_(pid), in_(in), out_(out), line_(std::move(line)) {}

  int pid_ = -1;
  int in_ = -1;   // the server's stdin (write end)
  int out_ = -1;  // the server's stdout (read end)
  std::string line_;
};

/// Server side: prints `ready_line`, then blocks until stdin reaches end of file.
void serve_until_released(const std::string& ready_line);

}  // namespace hollywood::bench
