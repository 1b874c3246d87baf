// SPDX-License-Identifier: MIT
#include <hollywood/metrics/registry.hpp>
#include <hollywood/thread_annotations.hpp>

#include "family_builder.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <string>
#include <utility>

namespace hollywood::metrics {

void counter::increment(double by) const noexcept {
  if (c_ != nullptr) c_->Increment(by);
}

double counter::value() const noexcept {
  return c_ != nullptr ? c_->Value() : 0.0;
}

void gauge::set(double v) const noexcept {
  if (g_ != nullptr) g_->Set(v);
}

void gauge::increment(double by) const noexcept {
  if (g_ != nullptr) g_->Increment(by);
}

void gauge::decrement(double by) const noexcept {
  if (g_ != nullptr) g_->Decrement(by);
}

double gauge::value() const noexcept {
  return g_ != nullptr ? g_->Value() : 0.0;
}

void histogram::observe(double v) const noexcept {
  if (h_ != nullptr) h_->Observe(v);
}

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0, 30.0};
}

// Families are found by name so that adding a name twice returns the same family (prometheus-cpp
// itself would refuse a second family with the same name and different help).
struct registry::families {
  std::map<std::string, prometheus::Family<prometheus::Counter>*, std::less<>> counters;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*, std::less<>> gauges;
  std::map<std::string, std::pair<prometheus::Family<prometheus::Histogram>*, std::vector<double>>,
           std::less<>>
      histograms;
};

// The sources live apart from the registry, so a handle that outlives its registry finds nothing
// to remove instead of a dangling pointer.
struct source_handle::sources {
  std::mutex mu;  // held while the sources run, so removal waits for a running scrape
  std::map<std::uint64_t, source> fns HOLLYWOOD_GUARDED_BY(mu);
  std::uint64_t next_id HOLLYWOOD_GUARDED_BY(mu) = 1;
};

source_handle::source_handle(source_handle&& other) noexcept
    : list_(std::move(other.list_)), id_(std::exchange(other.id_, 0)) {}

source_handle& source_handle::operator=(source_handle&& other) noexcept {
  if (this != &other) {
    reset();
    list_ = std::move(other.list_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

source_handle::~source_handle() {
  reset();
}

void source_handle::reset() noexcept {
  if (auto list = list_.lock()) {
    std::lock_guard lock(list->mu);
    list->fns.erase(id_);
  }
  list_.reset();
  id_ = 0;
}

registry::registry()
    : native_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<families>()),
      sources_(std::make_shared<source_handle::sources>()) {}

registry::~registry() = default;

counter registry::add_counter(std::string_view name, std::string_view help, const labels& l) {
  std::lock_guard lock(mu_);
  auto it = families_->counters.find(name);
  if (it == families_->counters.end()) {
    auto& fam = prometheus::BuildCounter()
                    .Name(std::string(name))
                    .Help(std::string(help))
                    .Register(*native_);
    it = families_->counters.emplace(std::string(name), &fam).first;
  }
  return counter(&it->second->Add(l));
}

gauge registry::add_gauge(std::string_view name, std::string_view help, const labels& l) {
  std::lock_guard lock(mu_);
  auto it = families_->gauges.find(name);
  if (it == families_->gauges.end()) {
    auto& fam =
        prometheus::BuildGauge().Name(std::string(name)).Help(std::string(help)).Register(*native_);
    it = families_->gauges.emplace(std::string(name), &fam).first;
  }
  return gauge(&it->second->Add(l));
}

histogram registry::add_histogram(std::string_view name, std::string_view help,
                                  std::vector<double> bounds, const labels& l) {
  std::lock_guard lock(mu_);
  auto it = families_->histograms.find(name);
  if (it == families_->histograms.end()) {
    auto& fam = prometheus::BuildHistogram()
                    .Name(std::string(name))
                    .Help(std::string(help))
                    .Register(*native_);
    it = families_->histograms.emplace(std::string(name), std::pair{&fam, std::move(bounds)}).first;
  }
  const auto& [fam, fixed] = it->second;
  return histogram(&fam->Add(l, prometheus::Histogram::BucketBoundaries(fixed)));
}

void registry::remove(std::string_view name, const gauge& g) {
  if (g.g_ == nullptr) return;
  std::lock_guard lock(mu_);
  if (auto it = families_->gauges.find(name); it != families_->gauges.end()) {
    it->second->Remove(g.g_);
  }
}

source_handle registry::add_source(source collect) {
  std::lock_guard lock(sources_->mu);
  const std::uint64_t id = sources_->next_id++;
  sources_->fns.emplace(id, std::move(collect));
  return source_handle(sources_, id);
}

std::string registry::exposition() const {
  std::vector<prometheus::MetricFamily> all = native_->Collect();
  {
    detail::family_builder sink(all);
    std::lock_guard lock(sources_->mu);
    for (const auto& [id, collect] : sources_->fns)
      collect(sink);
  }
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace hollywood::metrics
