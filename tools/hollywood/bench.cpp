// SPDX-License-Identifier: MIT
// `hollywood bench`: runs bench/WORKLOADS.md against this engine and, with `--vs caf`, against
// CAF in its default and 2-worker configurations. Every repetition runs each system once per
// workload, one fresh process each, interleaved; ratios are paired per repetition against the
// better CAF configuration of that repetition, so "> 1" always means this engine wins.
#include "commands.hpp"
#include "core_roundtrip.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hollywood::tools {

namespace {

namespace fs = std::filesystem;

struct system_config {
  std::string name;  // "hollywood", "caf-default", "caf-2w"
  std::string program;
  std::string workers;  // passed as --workers
};

/// One process invocation of a workload; it prints one or more metrics.
struct invocation {
  std::string workload;
  std::vector<std::string> extra;  // e.g. --senders 4
};

struct sample {
  double value = 0;
  std::string unit;
  std::string better;
  bool ok = false;
};

/// metric name -> system -> one sample per repetition
using results = std::map<std::string, std::map<std::string, std::vector<sample>>>;

const std::vector<std::string> all_workloads = {
    "fanin",          "fanin-metrics", "drain", "drain-metrics", "pingpong", "reqresp",
    "many",           "skynet",        "pairs", "storm",         "idle",     "remote-throughput",
    "remote-reqresp", "kafka-bus"};

/// Workloads of this engine alone (no CAF implementation): they compare two modes of ours.
bool ours_only(const std::string& workload) {
  return workload == "kafka-bus" || workload == "fanin-metrics" || workload == "drain" ||
         workload == "drain-metrics";
}

std::vector<invocation> expand(const std::vector<std::string>& workloads) {
  std::vector<invocation> out;
  for (const auto& w : workloads) {
    if (w == "fanin" || w == "fanin-metrics") {
      out.push_back({w, {"--senders", "1"}});
      out.push_back({w, {"--senders", "4"}});
    } else {
      out.push_back({w, {}});
    }
  }
  return out;
}

fs::path own_directory() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

/// Runs one process and returns its stdout lines parsed as metrics (name -> sample).
std::map<std::string, sample> run_one(const system_config& sys, const invocation& inv, bool quick,
                                      std::string& error) {
  // The two-process workloads live in a program of their own ("-net"), so the networking
  // libraries never weigh on the local workloads' memory figures.
  const bool net = inv.workload.rfind("remote-", 0) == 0;
  std::string program = sys.program + (net ? "-net" : "");
  if (inv.workload == "kafka-bus") {
    // The bus's workload lives in a program of its own (librdkafka); ours only.
    program = (fs::path(sys.program).parent_path() / "hollywood-bench-kafka").string();
  }
  std::string cmd = "'" + program + "' --workload " + inv.workload;
  for (const auto& x : inv.extra)
    cmd += " " + x;
  if (!sys.workers.empty()) cmd += " --workers " + sys.workers;
  if (quick) cmd += " --quick";
  cmd += " 2>/dev/null";
  std::map<std::string, sample> out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) {
    error = "cannot start " + sys.program;
    return out;
  }
  char line[4096];
  while (std::fgets(line, sizeof line, pipe.get()) != nullptr) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("workload")) continue;
    sample s;
    s.value = j.value("value", 0.0);
    s.unit = j.value("unit", "");
    s.better = j.value("better", "lower");
    s.ok = j.value("check", "") == "ok";
    if (!s.ok) error = j["workload"].get<std::string>() + ": " + j.value("check", "");
    out[j["workload"].get<std::string>()] = s;
  }
  if (out.empty() && error.empty()) error = sys.name + " " + inv.workload + " printed nothing";
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct summary {
  double median = 0, min = 0, max = 0;
};

summary summarize(const std::vector<double>& v) {
  if (v.empty()) return {};
  return {median(v), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

std::vector<double> values_of(const std::vector<sample>& samples) {
  std::vector<double> v;
  for (const auto& s : samples) {
    if (s.ok) v.push_back(s.value);
  }
  return v;
}

/// The cost of the handler-latency middleware per repetition, in percent: `with` (fanin-metrics-P,
/// drain-metrics) against `plain` (fanin-P, drain) of the same repetition, run back to back.
std::vector<double> middleware_overhead(const results& res, const std::string& plain,
                                        const std::string& with) {
  std::vector<double> out;
  auto a = res.find(plain);
  auto b = res.find(with);
  if (a == res.end() || b == res.end()) return out;
  auto pa = a->second.find("hollywood");
  auto pb = b->second.find("hollywood");
  if (pa == a->second.end() || pb == b->second.end()) return out;
  for (std::size_t rep = 0; rep < std::min(pa->second.size(), pb->second.size()); ++rep) {
    const sample& x = pa->second[rep];
    const sample& y = pb->second[rep];
    if (!x.ok || !y.ok || x.value <= 0) continue;
    const double worse = x.better == "higher" ? x.value - y.value : y.value - x.value;
    out.push_back(worse / x.value * 100.0);
  }
  return out;
}

/// Paired ratios ("times better") of hollywood against the better CAF configuration per rep.
std::vector<double> paired_ratios(const std::map<std::string, std::vector<sample>>& by_system) {
  std::vector<double> ratios;
  auto ours = by_system.find("hollywood");
  if (ours == by_system.end()) return ratios;
  for (std::size_t rep = 0; rep < ours->second.size(); ++rep) {
    const sample& h = ours->second[rep];
    std::optional<double> best;
    for (const char* caf : {"caf-default", "caf-2w"}) {
      auto it = by_system.find(caf);
      if (it == by_system.end() || rep >= it->second.size() || !it->second[rep].ok) continue;
      const double v = it->second[rep].value;
      if (!best || (h.better == "higher" ? v > *best : v < *best)) best = v;
    }
    if (!best || !h.ok || h.value <= 0 || *best <= 0) continue;
    ratios.push_back(h.better == "higher" ? h.value / *best : *best / h.value);
  }
  return ratios;
}

std::string format_value(double v) {
  char buf[64];
  if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  } else if (v >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.0fk", v / 1e3);
  } else if (v >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", v);
  }
  return buf;
}

void progress(std::size_t done, std::size_t total, const std::string& what) {
  if (isatty(STDERR_FILENO) == 0) return;
  const int width = 30;
  const int filled =
      static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu %-40.40s", filled, "##############################",
               width - filled, "", done, total, what.c_str());
  if (done == total) std::fprintf(stderr, "\r%*s\r", width + 60, "");
  std::fflush(stderr);
}

/// The cache-line round trip before and after the run: a run whose figures differ from the
/// last one's by as much as these do measured the VM, not the code.
void report_roundtrip(std::optional<double> before, std::optional<double> after, bool json) {
  if (!before || !after) return;
  if (json) {
    nlohmann::json j = {{"machine", "core-roundtrip"},
                        {"before_ns", *before},
                        {"after_ns", *after},
                        {"unit", "ns"}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "cross-core cache-line round trip (the VM's phase): %.0f ns before the run, %.0f ns "
        "after\n",
        *before, *after);
  }
}

struct bench_options {
  std::vector<std::string> workloads;
  std::string vs;
  int reps = 0;
  bool quick = false;
  bool json = false;
};

int run_bench(const bench_options& opt) {
  const fs::path dir = own_directory();
  std::vector<system_config> systems = {
      {"hollywood", (dir / "hollywood-bench-engine").string(), ""}};
  if (opt.vs == "caf") {
    const std::string caf = (dir / "hollywood-bench-caf").string();
    if (!fs::exists(caf)) {
      std::fprintf(stderr, "hollywood bench: %s not found (build with libcaf-dev installed)\n",
                   caf.c_str());
      return 2;
    }
    systems.push_back({"caf-default", caf, ""});
    systems.push_back({"caf-2w", caf, "2"});
  } else if (!opt.vs.empty()) {
    std::fprintf(stderr, "hollywood bench: --vs accepts only 'caf'\n");
    return 2;
  }
  if (!fs::exists(systems.front().program)) {
    std::fprintf(stderr, "hollywood bench: %s not found (build the release preset)\n",
                 systems.front().program.c_str());
    return 2;
  }
  std::vector<std::string> workloads = opt.workloads.empty() ? all_workloads : opt.workloads;
  for (const auto& w : workloads) {
    if (std::find(all_workloads.begin(), all_workloads.end(), w) == all_workloads.end()) {
      std::fprintf(stderr, "hollywood bench: unknown workload '%s'\n", w.c_str());
      return 2;
    }
  }
  const int reps = opt.reps > 0 ? opt.reps : (opt.quick ? 1 : 5);
  const auto invocations = expand(workloads);
  const std::optional<double> roundtrip_before = core_roundtrip_ns();
  results res;
  std::vector<std::string> order;  // metric names in first-seen order
  std::vector<std::string> failures;
  const std::size_t total = static_cast<std::size_t>(reps) * invocations.size() * systems.size();
  std::size_t done = 0;
  for (int rep = 0; rep < reps; ++rep) {
    for (const auto& inv : invocations) {
      for (const auto& sys : systems) {
        if (ours_only(inv.workload) && sys.name != "hollywood") {
          progress(++done, total, "");
          continue;
        }
        progress(done, total,
                 "rep " + std::to_string(rep + 1) + " " + inv.workload + " " + sys.name);
        std::string error;
        for (auto& [name, s] : run_one(sys, inv, opt.quick, error)) {
          if (res.find(name) == res.end()) order.push_back(name);
          res[name][sys.name].push_back(s);
        }
        if (!error.empty())
          failures.push_back(sys.name + " rep " + std::to_string(rep + 1) + ": " + error);
        progress(++done, total, "");
      }
    }
  }
  if (opt.json) {
    for (const auto& name : order) {
      const auto& by_system = res[name];
      for (const auto& sys : systems) {
        auto it = by_system.find(sys.name);
        if (it == by_system.end() || it->second.empty()) continue;
        const summary s = summarize(values_of(it->second));
        nlohmann::json j = {{"workload", name},
                            {"system", sys.name},
                            {"median", s.median},
                            {"min", s.min},
                            {"max", s.max},
                            {"unit", it->second.front().unit},
                            {"better", it->second.front().better}};
        std::printf("%s\n", j.dump().c_str());
      }
      if (systems.size() > 1 && !paired_ratios(by_system).empty()) {
        const summary r = summarize(paired_ratios(by_system));
        nlohmann::json j = {
            {"workload", name}, {"ratio", r.median}, {"ratio_min", r.min}, {"ratio_max", r.max}};
        std::printf("%s\n", j.dump().c_str());
      }
    }
  } else {
    std::printf("%-24s %-10s", "workload", "unit");
    for (const auto& sys : systems)
      std::printf(" %-24s", sys.name.c_str());
    if (systems.size() > 1) std::printf(" %s", "ratio vs best CAF (min-max)");
    std::printf("\n");
    for (const auto& name : order) {
      const auto& by_system = res[name];
      const auto& first = by_system.begin()->second.front();
      std::printf("%-24s %-10s", name.c_str(),
                  (first.unit + (first.better == "higher" ? "^" : "v")).c_str());
      for (const auto& sys : systems) {
        auto it = by_system.find(sys.name);
        std::string cell = "-";
        if (it != by_system.end()) {
          const summary s = summarize(values_of(it->second));
          cell =
              format_value(s.median) + " (" + format_value(s.min) + "-" + format_value(s.max) + ")";
        }
        std::printf(" %-24s", cell.c_str());
      }
      if (systems.size() > 1) {
        const auto ratios = paired_ratios(by_system);
        const summary r = summarize(ratios);
        if (ratios.empty()) {
          std::printf(" -");
        } else {
          std::printf(" %.2fx (%.2f-%.2f)", r.median, r.min, r.max);
        }
      }
      std::printf("\n");
    }
    std::printf(
        "\n%d repetition(s)%s; ^ higher is better, v lower is better. Latency figures: "
        "hollywood idles by spinning 20 us then parking; CAF uses its default polling.\n",
        reps, opt.quick ? ", quick sizes" : "");
  }
  const std::pair<const char*, const char*> with_and_without[] = {
      {"fanin-1", "fanin-metrics-1"}, {"fanin-4", "fanin-metrics-4"}, {"drain", "drain-metrics"}};
  for (const auto& [plain, with] : with_and_without) {
    const auto overhead = middleware_overhead(res, plain, with);
    if (overhead.empty()) continue;
    const summary o = summarize(overhead);
    if (opt.json) {
      nlohmann::json j = {{"workload", std::string("middleware-cost-") + plain},
                          {"median_percent", o.median},
                          {"min_percent", o.min},
                          {"max_percent", o.max}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf(
          "handler-latency middleware, %s: cost %.1f%% (median; %.1f to %.1f over the "
          "repetitions, each paired with its own run without it; < 0: better with it)\n",
          plain, o.median, o.min, o.max);
    }
  }
  report_roundtrip(roundtrip_before, core_roundtrip_ns(), opt.json);
  for (const auto& f : failures)
    std::fprintf(stderr, "check failed: %s\n", f.c_str());
  return failures.empty() ? 0 : 1;
}

}  // namespace

command add_bench(CLI::App& app) {
  auto opt = std::make_shared<bench_options>();
  app.add_option("--workload", opt->workloads, "Workloads to run (default: all)")
      ->check(CLI::IsMember(all_workloads));
  app.add_option("--vs", opt->vs, "Also run the same workloads against a peer: caf");
  app.add_option("--reps", opt->reps, "Repetitions (default 5, or 1 with --quick)")
      ->check(CLI::Range(1, 100));
  app.add_flag("--quick", opt->quick, "Reduced sizes: the whole suite in under a minute");
  app.add_flag("--json", opt->json, "One JSON object per line instead of a table");
  return [opt] { return run_bench(*opt); };
}

}  // namespace hollywood::tools
