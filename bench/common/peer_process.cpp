// SPDX-License-Identifier: MIT
#include "peer_process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

extern char** environ;

namespace hollywood::bench {

std::optional<peer_process> peer_process::start(const std::vector<std::string>& args) {
  int to_child[2];
  int from_child[2];
  if (::pipe(to_child) != 0) return std::nullopt;
  if (::pipe(from_child) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return std::nullopt;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, to_child[1]);
  posix_spawn_file_actions_addclose(&fa, from_child[0]);
  std::string self = "/proc/self/exe";
  std::vector<std::string> all{self};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (rc != 0) {
    std::fprintf(stderr, "peer_process: cannot start the server half\n");
    ::close(to_child[1]);
    ::close(from_child[0]);
    return std::nullopt;
  }
  peer_process p(pid, to_child[1], from_child[0], {});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string text;
  while (text.find('\n') == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) {
      std::fprintf(stderr, "peer_process: the server half did not report ready\n");
      return std::nullopt;
    }
    pollfd pfd{p.out_, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(p.out_, buf, sizeof buf);
    if (n <= 0) {
      std::fprintf(stderr, "peer_process: the server half exited before it was ready\n");
      return std::nullopt;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  p.line_ = text.substr(0, text.find('\n'));
  return p;
}

peer_process::peer_process(peer_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      in_(std::exchange(other.in_, -1)),
      out_(std::exchange(other.out_, -1)),
      line_(std::move(other.line_)) {}

peer_process::~peer_process() {
  if (in_ >= 0) ::close(in_);  // the server's cue to shut down
  if (pid_ > 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a child's exit
    }
  }
  if (out_ >= 0) ::close(out_);
}

void serve_until_released(const std::string& ready_line) {
  std::printf("%s\n", ready_line.c_str());
  std::fflush(stdout);
  char buf[64];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
}

}  // namespace hollywood::bench
