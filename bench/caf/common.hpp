// Shared pieces of the CAF 0.17 side of the benchmark suite (see bench/WORKLOADS.md).
#pragma once

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <string>
#include <vector>

namespace cafbench {

using bench_clock = std::chrono::steady_clock;

// WORKLOADS.md's `struct payload { std::uint64_t value; }`. CAF 0.17 needs every message type
// announced; a bare uint64_t is a built-in message type and carries exactly the same data.
using payload = std::uint64_t;

using start_atom = caf::atom_constant<caf::atom("start")>;
using report_atom = caf::atom_constant<caf::atom("report")>;

struct options {
  std::string workload;
  std::size_t workers = 0;  // 0: CAF's default scheduler.max-threads
  std::size_t senders = 1;  // fanin only
  bool quick = false;
};

// One JSON line on stdout.
struct metric {
  std::string name;
  double value = 0;
  const char* unit = "";
  const char* better = "lower";
  std::string check = "ok";
};

void print_metric(const metric& m);

double seconds_between(bench_clock::time_point from, bench_clock::time_point to);

// Resident set size now (bytes), from /proc/self/statm.
std::size_t rss_bytes();
// Peak resident set size (bytes), VmHWM from /proc/self/status.
std::size_t peak_rss_bytes();

// Releases P threads together: each thread calls arrive_and_wait(); the coordinating thread calls
// release(), which waits until all P are parked at the gate, then opens it and returns the time.
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
  // Valid in a thread once its arrive_and_wait() has returned.
  bench_clock::time_point opened_at() const { return opened_at_; }

 private:
  std::latch ready_;
  std::latch go_{1};
  bench_clock::time_point opened_at_{};
};

// Where an actor drops its result for the main thread: the actor writes the fields, then calls
// done(); the main thread's wait() returning makes the writes visible. `start` is used when the
// clock starts inside an actor.
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

// Workloads. Each returns its metrics; main prints them.
std::vector<metric> run_fanin(caf::actor_system& sys, const options& opt);
std::vector<metric> run_pingpong(caf::actor_system& sys, const options& opt);
std::vector<metric> run_reqresp(caf::actor_system& sys, const options& opt);
std::vector<metric> run_many(caf::actor_system& sys, const options& opt);
std::vector<metric> run_skynet(caf::actor_system& sys, const options& opt);
std::vector<metric> run_pairs(caf::actor_system& sys, const options& opt);
std::vector<metric> run_storm(caf::actor_system& sys, const options& opt);
std::vector<metric> run_idle(caf::actor_system& sys, const options& opt);

}  // namespace cafbench
