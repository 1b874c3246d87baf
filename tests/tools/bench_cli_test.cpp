// SPDX-License-Identifier: MIT
// `hollywood bench` end to end: real workload processes, the runner's table and JSON output,
// its pairing of repetitions into ratios, and its answers to bad arguments.
//
// CAF is never built with sanitizers, so for `--vs caf` the engine's own workload program stands
// in for CAF's: the runner starts it under CAF's name, in both CAF configurations, and the test
// checks the ratios against the numbers the runner really measured and printed.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct run_result {
  int exit_code = -1;
  std::vector<std::string> lines;  // stdout, or stdout and stderr with `merge_stderr`
};

/// A directory laid out as the build's bin/ is: the `hollywood` command (hard-linked, so it finds
/// its workers next to itself), our workload program, and that program again as CAF's.
class bench_dir {
 public:
  bench_dir() : dir_(fs::path(HOLLYWOOD_SCRATCH_DIR) / ("bench-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::error_code ec;
    fs::create_hard_link(HOLLYWOOD_CLI, dir_ / "hollywood", ec);
    if (ec) fs::copy_file(HOLLYWOOD_CLI, dir_ / "hollywood");
    fs::create_symlink(HOLLYWOOD_BENCH_ENGINE, dir_ / "hollywood-bench-engine");
  }
  bench_dir(const bench_dir&) = delete;
  bench_dir& operator=(const bench_dir&) = delete;
  ~bench_dir() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void add_caf_stand_in() const {
    fs::create_symlink(HOLLYWOOD_BENCH_ENGINE, dir_ / "hollywood-bench-caf");
  }

  run_result run(const std::string& args, bool merge_stderr = false) const {
    const std::string command = "'" + (dir_ / "hollywood").string() + "' bench " + args +
                                (merge_stderr ? " 2>&1" : " 2>/dev/null");
    run_result r;
    FILE* out = ::popen(command.c_str(), "r");
    if (out == nullptr) return r;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, out) != nullptr) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      r.lines.push_back(line);
    }
    const int status = ::pclose(out);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

 private:
  fs::path dir_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines)
    s += l + "\n";
  return s;
}

TEST(bench_cli, json_output_has_every_system_and_ratios_paired_against_the_better_peer) {
  bench_dir dir;
  dir.add_caf_stand_in();
  // One repetition: each median is that repetition's value, so each ratio follows from the
  // printed medians. pingpong is a latency (lower is better), pairs a throughput (higher).
  const run_result r =
      dir.run("--quick --json --reps 1 --vs caf --workload pingpong --workload pairs");
  ASSERT_EQ(r.exit_code, 0) << joined(r.lines);

  std::map<std::string, std::map<std::string, nlohmann::json>> systems;  // metric -> system
  std::map<std::string, nlohmann::json> ratios;                          // metric -> ratio line
  bool roundtrip = false;
  for (const auto& line : r.lines) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.contains("machine")) {
      EXPECT_EQ(j["machine"], "core-roundtrip");
      EXPECT_GT(j.value("before_ns", 0.0), 0.0);
      EXPECT_GT(j.value("after_ns", 0.0), 0.0);
      roundtrip = true;
    } else if (j.contains("system")) {
      for (const char* key : {"workload", "median", "min", "max", "unit", "better"})
        EXPECT_TRUE(j.contains(key)) << key << " missing: " << line;
      systems[j["workload"]][j["system"]] = j;
    } else {
      ASSERT_TRUE(j.contains("ratio")) << "unexpected line: " << line;
      ratios[j["workload"]] = j;
    }
  }
  EXPECT_TRUE(roundtrip);

  for (const char* metric : {"pingpong", "pairs"}) {
    SCOPED_TRACE(metric);
    ASSERT_EQ(systems[metric].size(), 3u);
    for (const auto& [name, j] : systems[metric]) {
      EXPECT_GT(j["median"].get<double>(), 0.0) << name;
      EXPECT_EQ(j["min"], j["median"]) << name;
      EXPECT_EQ(j["max"], j["median"]) << name;
    }
    const bool higher = systems[metric]["hollywood"]["better"] == "higher";
    EXPECT_EQ(higher, std::string(metric) == "pairs");
    const double ours = systems[metric]["hollywood"]["median"];
    const double peer_default = systems[metric]["caf-default"]["median"];
    const double peer_2w = systems[metric]["caf-2w"]["median"];
    const double best = higher ? std::max(peer_default, peer_2w) : std::min(peer_default, peer_2w);
    const double expected = higher ? ours / best : best / ours;
    ASSERT_EQ(ratios.count(metric), 1u);
    EXPECT_NEAR(ratios[metric]["ratio"].get<double>(), expected, expected * 1e-9);
    EXPECT_EQ(ratios[metric]["ratio_min"], ratios[metric]["ratio"]);
    EXPECT_EQ(ratios[metric]["ratio_max"], ratios[metric]["ratio"]);
  }
}

TEST(bench_cli, the_table_states_the_repetitions_and_the_idle_policy) {
  bench_dir dir;
  const run_result r = dir.run("--quick --reps 2 --workload pingpong");
  ASSERT_EQ(r.exit_code, 0) << joined(r.lines);
  const std::string out = joined(r.lines);
  ASSERT_GE(r.lines.size(), 2u) << out;
  EXPECT_EQ(r.lines[0].rfind("workload", 0), 0u) << out;
  EXPECT_NE(r.lines[0].find("hollywood"), std::string::npos) << out;
  EXPECT_EQ(r.lines[0].find("caf"), std::string::npos) << "no peer was asked for: " << out;
  EXPECT_EQ(r.lines[1].rfind("pingpong", 0), 0u) << out;
  EXPECT_NE(out.find("2 repetition(s), quick sizes"), std::string::npos) << out;
  EXPECT_NE(out.find("spinning 20 us then parking"), std::string::npos) << out;
}

TEST(bench_cli, bad_arguments_get_a_clear_error_and_run_nothing) {
  bench_dir dir;
  const run_result unknown = dir.run("--workload no-such-workload", true);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(joined(unknown.lines).find("no-such-workload"), std::string::npos)
      << joined(unknown.lines);

  const run_result peer = dir.run("--quick --vs erlang --workload pingpong", true);
  EXPECT_EQ(peer.exit_code, 2);
  EXPECT_NE(joined(peer.lines).find("--vs accepts only 'caf'"), std::string::npos)
      << joined(peer.lines);

  // No CAF program next to the runner (this directory has none): said, not silently skipped.
  const run_result missing = dir.run("--quick --vs caf --workload pingpong", true);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(joined(missing.lines).find("hollywood-bench-caf not found"), std::string::npos)
      << joined(missing.lines);
}

}  // namespace
