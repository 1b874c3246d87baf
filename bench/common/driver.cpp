// SPDX-License-Identifier: MIT
#include "driver.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

namespace hollywood::bench {

namespace {

constexpr auto watchdog_limit = std::chrono::seconds(120);

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void usage(std::FILE* out, const char* program, const std::vector<workload_entry>& workloads) {
  std::fprintf(out,
               "usage: %s --workload NAME [--workers N] [--quick] [--senders P]\n  NAME:", program);
  for (const auto& w : workloads)
    std::fprintf(out, " %s", w.name);
  std::fprintf(out,
               "\n  --workers N   scheduler threads (0 = the system's default)\n"
               "  --quick       reduced sizes\n"
               "  --senders P   fanin, fanin-metrics: number of sender threads (default 1)\n"
               "  --serve       remote-*: run the server half (the measuring half starts it)\n");
}

bool parse_count(const std::string& text, std::size_t& out) {
  if (text.empty() || text.size() > 7) return false;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  out = value;
  return true;
}

/// Returns 0 when parsed, 2 on bad arguments, -1 after --help.
int parse_args(int argc, char** argv, const char* program, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      inline_value = true;
    }
    auto take = [&](std::string& dst) {
      if (inline_value) {
        dst = value;
        return true;
      }
      if (i + 1 >= argc) return false;
      dst = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") return -1;
    if (arg == "--serve" && !inline_value) {
      opt.serve = true;
    } else if (arg == "--quick" && !inline_value) {
      opt.quick = true;
    } else if (arg == "--workload") {
      if (!take(opt.workload)) {
        std::fprintf(stderr, "%s: --workload needs a value\n", program);
        return 2;
      }
    } else if (arg == "--workers" || arg == "--senders") {
      std::string text;
      std::size_t n = 0;
      if (!take(text) || !parse_count(text, n) || n > 1024 || (arg == "--senders" && n == 0)) {
        std::fprintf(stderr, "%s: bad value for %s\n", program, arg.c_str());
        return 2;
      }
      (arg == "--workers" ? opt.workers : opt.senders) = n;
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n", program, argv[i]);
      return 2;
    }
  }
  if (opt.workload.empty()) {
    std::fprintf(stderr, "%s: --workload is required\n", program);
    return 2;
  }
  return 0;
}

/// Ends the process when a workload (shutdown included) exceeds the limit: a hang or a lost
/// message must fail the repetition, never stall the runner.
class watchdog {
 public:
  watchdog(const char* program, std::string what)
      : program_(program), what_(std::move(what)), thread_([this] { watch(); }) {}
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::lock_guard lock(mu_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void watch() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, watchdog_limit, [this] { return disarmed_; })) {
      std::fprintf(stderr, "%s: check failed: workload '%s' exceeded %lld s; aborting\n", program_,
                   what_.c_str(), static_cast<long long>(watchdog_limit.count()));
      std::fflush(stderr);
      _exit(1);
    }
  }

  const char* program_;
  std::string what_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;  // last: starts once the other members exist
};

}  // namespace

void print_metric(const metric& m) {
  const double v = std::isfinite(m.value) ? m.value : 0.0;
  // About 7 significant digits, never an exponent (12345678.9, 958.123, 0.157234).
  int decimals = 1;
  if (v != 0.0) {
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    decimals = std::max(1, std::min(9, 6 - magnitude));
  }
  const std::string check = std::isfinite(m.value) ? m.check : "non-finite value; " + m.check;
  std::printf(
      "{\"workload\":\"%s\",\"value\":%.*f,\"unit\":\"%s\",\"better\":\"%s\",\"check\":\"%s\"}\n",
      json_escape(m.name).c_str(), decimals, v, m.unit, m.better, json_escape(check).c_str());
  std::fflush(stdout);
}

double seconds_between(bench_clock::time_point from, bench_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size_pages = 0;
  unsigned long resident_pages = 0;
  const int n = std::fscanf(f, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::size_t>(resident_pages) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t peak_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  std::size_t kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      unsigned long value = 0;
      if (std::sscanf(line + 6, "%lu", &value) == 1) kib = value;
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

double cpu_seconds() {
  // The process clock adds up what each thread's last scheduler event accounted: a thread
  // running on another CPU has up to a tick of CPU time not in it yet, which then lands in the
  // next reading. Read at the end of a burst, that put up to 1.5 ms of the burst's time in the
  // 2 s idle window. Reading a thread's own clock brings its account up to date (even on another
  // CPU), so read every thread's first.
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(tasks)) {
      const long tid = std::strtol(e->d_name, nullptr, 10);
      if (tid <= 0) continue;  // "." and ".."
      // The kernel's encoding of a thread's CPU clock (what pthread_getcpuclockid returns):
      // the inverted thread ID, then "per thread" and "scheduler runtime".
      const auto clock = static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 4U | 2U);
      timespec ignored{};
      (void)::clock_gettime(clock, &ignored);  // a thread that just exited has no clock: fine
    }
    ::closedir(tasks);
  }
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int run_main(int argc, char** argv, const char* program,
             const std::vector<workload_entry>& workloads,
             const std::function<std::string(const options&)>& banner) {
  options opt;
  if (const int rc = parse_args(argc, argv, program, opt); rc != 0) {
    usage(rc == 2 ? stderr : stdout, program, workloads);
    return rc < 0 ? 0 : rc;
  }
  const workload_entry* entry = nullptr;
  for (const auto& w : workloads) {
    if (opt.workload == w.name) entry = &w;
  }
  if (entry == nullptr) {
    std::fprintf(stderr, "%s: unknown workload '%s'\n", program, opt.workload.c_str());
    usage(stderr, program, workloads);
    return 2;
  }
  bool ok = true;
  {
    watchdog guard(program, opt.workload);
    std::fprintf(stderr, "%s: workload=%s%s %s\n", program, opt.workload.c_str(),
                 opt.quick ? " (quick)" : "", banner(opt).c_str());
    for (const auto& m : entry->run(opt)) {
      print_metric(m);
      ok = ok && m.check == "ok";
    }
  }
  return ok ? 0 : 1;
}

}  // namespace hollywood::bench
