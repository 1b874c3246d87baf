#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace cafbench {

namespace {

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

}  // namespace

void print_metric(const metric& m) {
  double v = std::isfinite(m.value) ? m.value : 0.0;
  // About 7 significant digits, never an exponent (12345678.9, 958.123, 0.157234).
  int decimals = 1;
  if (v != 0.0) {
    int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    decimals = std::max(1, std::min(9, 6 - magnitude));
  }
  std::string check = std::isfinite(m.value) ? m.check : "non-finite value; " + m.check;
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
  int n = std::fscanf(f, "%lu %lu", &size_pages, &resident_pages);
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

}  // namespace cafbench
