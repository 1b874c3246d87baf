// SPDX-License-Identifier: MIT
#pragma once

/// A strict parser of Prometheus' text exposition format 0.0.4 for tests that scrape `/metrics`:
/// it refuses what a Prometheus server would (bad names, bad label syntax, unparsable values, a
/// sample of no declared family, a family declared twice), so a test that parses a scrape also
/// proves the scrape is valid.
///
///   auto m = exposition::parse(body);
///   ASSERT_TRUE(m) << m.error;
///   m->value("hollywood_actor_messages_processed_total", {{"kind", "echo"}});

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::test {

using sample_labels = std::map<std::string, std::string>;

struct sample {
  std::string name;  // as written: histograms' series end in _bucket, _sum, _count
  sample_labels labels;
  double value = 0;
};

class exposition {
 public:
  struct result;

  /// Parses `text`; on failure the result says which line and why.
  static result parse(std::string_view text);

  /// family name -> type ("counter", "gauge", "histogram", ...).
  std::map<std::string, std::string> types;
  std::vector<sample> samples;

  /// The value of the series `name` whose labels are exactly `labels`.
  [[nodiscard]] std::optional<double> value(std::string_view name,
                                            const sample_labels& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }

  /// The sum over the series of `name` whose labels include `match` (0 when there are none).
  [[nodiscard]] double sum(std::string_view name, const sample_labels& match = {}) const {
    double total = 0;
    for (const auto& s : samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& [k, v] : match) {
        auto it = s.labels.find(k);
        all = all && it != s.labels.end() && it->second == v;
      }
      if (all) total += s.value;
    }
    return total;
  }

  /// The declared family names.
  [[nodiscard]] std::set<std::string> families() const {
    std::set<std::string> out;
    for (const auto& [name, type] : types)
      out.insert(name);
    return out;
  }

 private:
  static bool valid_name(std::string_view n) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const char c = n[i];
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
  }

  static std::optional<double> parse_value(std::string_view v) {
    if (v == "+Inf") return INFINITY;
    if (v == "-Inf") return -INFINITY;
    if (v == "NaN") return NAN;
    const std::string s(v);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
    return d;
  }

  /// The family a sample name belongs to, given the declared types.
  [[nodiscard]] std::optional<std::string> family_of(const std::string& name) const {
    if (types.count(name) != 0) return name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string_view sv(suffix);
      if (name.size() > sv.size() && name.compare(name.size() - sv.size(), sv.size(), sv) == 0) {
        auto base = name.substr(0, name.size() - sv.size());
        auto it = types.find(base);
        if (it != types.end() && (it->second == "histogram" || it->second == "summary")) {
          return base;
        }
      }
    }
    return std::nullopt;
  }

  /// Parses `{a="x",b="y"}` starting at `at` (the '{'); advances `at` past the '}'.
  static std::optional<sample_labels> parse_labels(std::string_view line, std::size_t& at) {
    sample_labels out;
    ++at;  // '{'
    while (at < line.size() && line[at] != '}') {
      const auto eq = line.find('=', at);
      if (eq == std::string_view::npos) return std::nullopt;
      const std::string key(line.substr(at, eq - at));
      if (!valid_name(key) || eq + 1 >= line.size() || line[eq + 1] != '"') return std::nullopt;
      std::string value;
      std::size_t i = eq + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') {
          if (++i >= line.size()) return std::nullopt;
          const char e = line[i];
          if (e == 'n') {
            value.push_back('\n');
          } else if (e == '\\' || e == '"') {
            value.push_back(e);
          } else {
            return std::nullopt;
          }
        } else {
          value.push_back(line[i]);
        }
      }
      if (i >= line.size() || !out.emplace(key, value).second) return std::nullopt;
      at = i + 1;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return std::nullopt;
    ++at;  // '}'
    return out;
  }
};

struct exposition::result {
  std::optional<exposition> parsed;
  std::string error;

  explicit operator bool() const noexcept { return parsed.has_value(); }
  const exposition* operator->() const { return &*parsed; }
  const exposition& operator*() const { return *parsed; }
};

inline exposition::result exposition::parse(std::string_view text) {
  exposition out;
  std::size_t lineno = 0;
  auto fail = [&](const std::string& why, std::string_view line) {
    return result{std::nullopt,
                  "line " + std::to_string(lineno) + ": " + why + ": " + std::string(line)};
  };
  while (!text.empty()) {
    ++lineno;
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return fail("no newline at the end", text);
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# TYPE ", 0) == 0) {
        const auto rest = line.substr(7);
        const auto sp = rest.find(' ');
        if (sp == std::string_view::npos) return fail("TYPE without a type", line);
        const std::string name(rest.substr(0, sp));
        const std::string type(rest.substr(sp + 1));
        static const std::set<std::string> known = {"counter", "gauge", "histogram", "summary",
                                                    "untyped"};
        if (!valid_name(name) || known.count(type) == 0) return fail("bad TYPE", line);
        if (!out.types.emplace(name, type).second) return fail("family declared twice", line);
      }
      continue;  // HELP and comments
    }
    std::size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ')
      ++at;
    sample s;
    s.name = std::string(line.substr(0, at));
    if (!valid_name(s.name)) return fail("bad metric name", line);
    if (!out.family_of(s.name)) return fail("sample of no declared family", line);
    if (at < line.size() && line[at] == '{') {
      auto labels = parse_labels(line, at);
      if (!labels) return fail("bad labels", line);
      s.labels = std::move(*labels);
    }
    if (at >= line.size() || line[at] != ' ') return fail("no value", line);
    std::string_view rest = line.substr(at + 1);
    if (const auto sp = rest.find(' '); sp != std::string_view::npos) {
      rest = rest.substr(0, sp);  // a timestamp follows
    }
    const auto v = parse_value(rest);
    if (!v) return fail("bad value", line);
    s.value = *v;
    out.samples.push_back(std::move(s));
  }
  return result{std::move(out), {}};
}

}  // namespace hollywood::test
