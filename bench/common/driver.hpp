// SPDX-License-Identifier: MIT
#pragma once

// The harness shared by hollywood-bench-engine and hollywood-bench-caf (bench/WORKLOADS.md):
// command line, JSON metric lines, RSS readers, a start gate, a finish line and a watchdog. It
// knows nothing about either actor system.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <latch>
#include <string>
#include <vector>

namespace hollywood::bench {

using bench_clock = std::chrono::steady_clock;

/// WORKLOADS.md's payload: one 64-bit value.
struct payload {
  std::uint64_t value;
};

struct options {
  std::string workload;
  std::size_t workers = 0;  // 0: the system's own default
  std::size_t senders = 1;  // fanin only
  bool quick = false;
  bool serve = false;  // remote-*: run the server half (started by the measuring half)
};

/// One JSON line on stdout.
struct metric {
  std::string name;
  double value = 0;
  const char* unit = "";
  const char* better = "lower";
  std::string check = "ok";
};

void print_metric(const metric& m);

double seconds_between(bench_clock::time_point from, bench_clock::time_point to);

/// How long `many` waits after the last reply before it reads RSS, on both sides: the actors
/// are idle by then, and an engine that returns memory when it goes idle (ours, after
/// `default_return_memory_after`) has done so.
inline constexpr std::chrono::milliseconds idle_settle{300};

/// Resident set size now (bytes), from /proc/self/statm.
std::size_t rss_bytes();
/// Peak resident set size (bytes), VmHWM from /proc/self/status.
std::size_t peak_rss_bytes();
/// CPU time (user + system) this process used so far, in seconds.
double cpu_seconds();

/// Releases P threads together: each calls arrive_and_wait(); the coordinator's release() waits
/// until all P are at the gate, opens it and returns the time it opened.
class start_gate {
 public:
  explicit start_gate(std::ptrdiff_t threads) : ready_(threads) {}
  void arrive_and_wait() {
    ready_.count_down();
    go_.wait();
  }
  bench_clock::time_point release() {
    ready_.wait();
    opened_at_ = bench_clock::now();
    go_.count_down();
    return opened_at_;
  }
  /// The time the gate opened; valid in a thread once its arrive_and_wait() returned.
  [[nodiscard]] bench_clock::time_point opened_at() const { return opened_at_; }

 private:
  std::latch ready_;
  std::latch go_{1};
  bench_clock::time_point opened_at_{};
};

/// Where an actor leaves its result for the main thread: it writes the fields, then calls done();
/// wait() returning makes those writes visible.
struct finish_line {
  explicit finish_line(std::ptrdiff_t parties = 1) : latch(parties) {}
  void done() { latch.count_down(); }
  void wait() { latch.wait(); }
  std::latch latch;
  bench_clock::time_point start{};
  bench_clock::time_point at{};
  std::string failure;  // empty: ok
};

inline std::string check_text(const std::string& failure) {
  return failure.empty() ? "ok" : failure;
}

/// splitmix64: a cheap generator, independent per thread (the storm senders' target choice).
inline std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Sums 1..n.
constexpr std::uint64_t triangle(std::uint64_t n) {
  return n * (n + 1) / 2;
}

using workload_fn = std::function<std::vector<metric>(const options&)>;

struct workload_entry {
  const char* name;
  workload_fn run;
};

/// Parses the command line, runs one workload under a 120 s watchdog and prints its metrics.
/// `banner` describes the system for stderr. Returns the process exit status.
int run_main(int argc, char** argv, const char* program,
             const std::vector<workload_entry>& workloads,
             const std::function<std::string(const options&)>& banner);

}  // namespace hollywood::bench
