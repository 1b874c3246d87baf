// hollywood-bench-caf: the CAF 0.17 implementation of bench/WORKLOADS.md.
//
//   hollywood-bench-caf --workload NAME [--workers N] [--quick] [--senders P]
//
// stdout carries only the JSON metric lines; diagnostics go to stderr.
// Exit status: 0 ok, 1 a check failed (or the watchdog fired), 2 bad arguments.

#include "common.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/config.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace {

using namespace cafbench;

constexpr auto watchdog_limit = std::chrono::seconds(120);

using workload_fn = std::vector<metric> (*)(caf::actor_system&, const options&);

struct workload_entry {
  const char* name;
  workload_fn run;
};

constexpr workload_entry workloads[] = {
    {"fanin", run_fanin}, {"pingpong", run_pingpong}, {"reqresp", run_reqresp},
    {"many", run_many},   {"skynet", run_skynet},     {"pairs", run_pairs},
    {"storm", run_storm}, {"idle", run_idle},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: hollywood-bench-caf --workload NAME [--workers N] [--quick] [--senders P]\n"
               "  NAME: fanin pingpong reqresp many skynet pairs storm idle\n"
               "  --workers N   CAF scheduler.max-threads (0 = CAF's default)\n"
               "  --quick       reduced sizes\n"
               "  --senders P   fanin: number of sender threads (default 1)\n");
}

bool parse_count(const char* text, std::size_t& out) {
  if (text == nullptr || *text == '\0') return false;
  std::size_t value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
    value = value * 10 + static_cast<std::size_t>(*p - '0');
    if (value > 1'000'000) return false;
  }
  out = value;
  return true;
}

// Returns 0 when parsed, 2 on bad arguments, -1 when --help was printed.
int parse_args(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_inline_value = true;
    }
    auto take_value = [&](std::string& dst) {
      if (has_inline_value) {
        dst = value;
        return true;
      }
      if (i + 1 >= argc) return false;
      dst = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return -1;
    } else if (arg == "--quick" && !has_inline_value) {
      opt.quick = true;
    } else if (arg == "--workload") {
      if (!take_value(opt.workload)) {
        std::fprintf(stderr, "hollywood-bench-caf: --workload needs a value\n");
        return 2;
      }
    } else if (arg == "--workers" || arg == "--senders") {
      std::string text;
      std::size_t n = 0;
      if (!take_value(text) || !parse_count(text.c_str(), n) || n > 1024 ||
          (arg == "--senders" && n == 0)) {
        std::fprintf(stderr, "hollywood-bench-caf: bad value for %s\n", arg.c_str());
        return 2;
      }
      (arg == "--workers" ? opt.workers : opt.senders) = n;
    } else {
      std::fprintf(stderr, "hollywood-bench-caf: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (opt.workload.empty()) {
    std::fprintf(stderr, "hollywood-bench-caf: --workload is required\n");
    return 2;
  }
  return 0;
}

// Kills the process when a workload (including actor-system shutdown) takes longer than the limit,
// so a CAF hang can never stall the runner.
class watchdog {
 public:
  explicit watchdog(std::string what) : what_(std::move(what)), thread_([this] { watch(); }) {}
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!cv_.wait_for(lock, watchdog_limit, [this] { return disarmed_; })) {
      std::fprintf(stderr,
                   "hollywood-bench-caf: check failed: workload '%s' exceeded %lld s "
                   "(hang or lost messages); aborting\n",
                   what_.c_str(), static_cast<long long>(watchdog_limit.count()));
      std::fflush(stderr);
      _exit(1);
    }
  }

  std::string what_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;  // last: starts after the other members exist
};

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (int rc = parse_args(argc, argv, opt); rc != 0) {
    if (rc == 2) usage(stderr);
    return rc < 0 ? 0 : rc;
  }
  workload_fn run = nullptr;
  for (const auto& w : workloads) {
    if (opt.workload == w.name) run = w.run;
  }
  if (run == nullptr) {
    std::fprintf(stderr, "hollywood-bench-caf: unknown workload '%s'\n", opt.workload.c_str());
    usage(stderr);
    return 2;
  }

  bool ok = true;
  {
    watchdog guard(opt.workload);
    caf::actor_system_config cfg;
    if (opt.workers > 0) cfg.set("scheduler.max-threads", opt.workers);
    caf::actor_system sys{cfg};
    std::fprintf(stderr,
                 "caf %d.%d.%d: workload=%s%s workers=%zu (%s), scheduler=work-stealing with "
                 "CAF's default polling idle policy\n",
                 CAF_MAJOR_VERSION, CAF_MINOR_VERSION, CAF_PATCH_VERSION, opt.workload.c_str(),
                 opt.quick ? " (quick)" : "", sys.scheduler().num_workers(),
                 opt.workers > 0 ? "--workers" : "CAF default max-threads");
    for (const auto& m : run(sys, opt)) {
      print_metric(m);
      ok = ok && m.check == "ok";
    }
    // ~actor_system waits for every actor to terminate; the workloads make all of them quit.
  }
  return ok ? 0 : 1;
}
