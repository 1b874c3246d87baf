// SPDX-License-Identifier: MIT
#include <hollywood/actor/log.hpp>
#include <hollywood/error.hpp>
#include <hollywood/eventbus/kafka/bus.hpp>
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/metrics/exposer.hpp>

#include "bus_metrics.hpp"
#include "consumer_loop.hpp"
#include "handler_pool.hpp"
#include "keyed_pool.hpp"
#include "pool_services.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <utility>

namespace hollywood::eventbus::kafka {

namespace {

/// Partitions of each subscribed topic on the embedded broker (the mock's own default).
constexpr int embedded_partitions = 4;

// relaxed: only makes bus names unique within the process.
std::atomic<std::uint64_t> bus_counter{0};

void warn(const std::string& text) {
  if (actor::log_enabled(actor::log_level::warn)) {
    actor::write_log(actor::log_level::warn, "kafka bus: " + text);
  }
}

std::uint64_t count(const metrics::counter& c) {
  return static_cast<std::uint64_t>(c.value());
}

}  // namespace

struct bus::impl {
  impl(actor::engine& e, bus_config c, bus_options o)
      : engine(e), config(std::move(c)), options(std::move(o)) {}

  actor::engine& engine;
  bus_config config;
  bus_options options;
  std::string name = "bus" + std::to_string(bus_counter.fetch_add(1, std::memory_order_relaxed));
  std::unique_ptr<mock_cluster> embedded;
  std::string bootstrap;
  std::unique_ptr<detail::bus_metrics> metrics;
  std::unique_ptr<kafka::publisher> publisher;
  std::unique_ptr<metrics::exposer> http;
  std::map<std::string, detail::handler_entry, std::less<>> handlers;
  std::unique_ptr<detail::handler_pool> blocking;
  std::unique_ptr<detail::consumer_loop> consumer;
  std::unique_ptr<detail::keyed_pool> pool;

  std::mutex mu;  // guards the flags and the handler table
  bool started = false;
  bool stopped = false;
  std::once_flag stop_once;

  /// See bus::ready.
  bool ready() {
    std::lock_guard lock(mu);
    const detail::consumer_loop* c = consumer.get();
    return started && !stopped && c != nullptr && c->joined() &&
           !c->wait_stopped(std::chrono::milliseconds(0));
  }

  expected<void> add_handler(std::string topic, detail::handler_entry h) {
    std::lock_guard lock(mu);
    if (started || stopped) return unexpected(errc::already_started);
    if (topic.empty() || handlers.count(topic) != 0) return unexpected(errc::invalid_argument);
    handlers.emplace(std::move(topic), std::move(h));
    return {};
  }
};

expected<std::unique_ptr<bus>> bus::create(actor::engine& engine, bus_config config,
                                           bus_options options, std::string* problem) {
  auto report = [&](std::string text) {
    warn(text);
    if (problem != nullptr) *problem = std::move(text);
  };
  if (auto p = config.problem(); !p.empty()) {
    report(p);
    return unexpected(errc::invalid_config);
  }
  auto d = std::make_unique<impl>(engine, std::move(config), std::move(options));
  if (d->config.kafka.brokers.empty()) {
    auto cluster = mock_cluster::create(1);
    if (!cluster) {
      report("cannot start the embedded broker: " + cluster.error().message());
      return unexpected(cluster.error());
    }
    d->embedded = std::move(*cluster);
    for (const auto& t : d->config.kafka.consumer.topics) {
      // An existing topic (subscribed twice) is fine.
      (void)d->embedded->create_topic(t, embedded_partitions);
    }
    d->bootstrap = d->embedded->bootstrap_servers();
    warn("no brokers configured: started an embedded broker at " + d->bootstrap +
         " (librdkafka's mock cluster: records and committed offsets are kept in memory only)");
  } else {
    for (const auto& b : d->config.kafka.brokers)
      d->bootstrap += (d->bootstrap.empty() ? "" : ",") + b;
  }
  auto reg = d->options.metrics ? d->options.metrics : std::make_shared<metrics::registry>();
  d->metrics = std::make_unique<detail::bus_metrics>(reg);
  std::string why;
  auto pub = kafka::publisher::create(d->bootstrap, d->config.kafka.producer,
                                      d->config.kafka.properties, &why);
  if (!pub) {
    report("cannot create the producer: " + why);
    return unexpected(pub.error());
  }
  d->publisher = std::move(*pub);
  if (!d->config.metrics.listen.empty()) {
    // Ready while the bus is (its readiness check is in place from the first request).
    metrics::probes checks;
    checks.readiness.push_back({"kafka", [i = d.get()] { return i->ready(); }});
    auto http = metrics::exposer::start(d->config.metrics.listen, reg, std::move(checks));
    if (!http) {
      report("cannot serve metrics on " + d->config.metrics.listen + ": " + http.error().message());
      return unexpected(http.error());
    }
    d->http = std::move(*http);
  }
  return std::unique_ptr<bus>(new bus(std::move(d)));
}

bus::bus(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}

bus::~bus() {
  stop();
  impl_->http.reset();  // its readiness check reads the parts destroyed next
}

expected<void> bus::handle(std::string topic, async_handler handler) {
  if (!handler) return unexpected(errc::invalid_argument);
  return impl_->add_handler(std::move(topic), {std::move(handler), {}});
}

expected<void> bus::handle_blocking(std::string topic, blocking_handler handler) {
  if (!handler) return unexpected(errc::invalid_argument);
  return impl_->add_handler(std::move(topic), {{}, std::move(handler)});
}

expected<void> bus::start() {
  auto& d = *impl_;
  std::lock_guard lock(d.mu);
  if (d.started || d.stopped) return unexpected(errc::already_started);
  for (const auto& t : d.config.kafka.consumer.topics) {
    if (d.handlers.find(t) == d.handlers.end()) {
      warn("no handler for topic '" + t + "'");
      return unexpected(bus_errc::no_handler);
    }
  }
  d.blocking = std::make_unique<detail::handler_pool>(d.config.pool.handler_threads);
  d.consumer = std::make_unique<detail::consumer_loop>(d.engine, d.config, d.bootstrap,
                                                       d.embedded != nullptr, *d.metrics);
  auto services = std::make_shared<detail::pool_services>();
  services->engine = &d.engine;
  services->config = &d.config;
  services->handlers = d.handlers;
  services->blocking = d.blocking.get();
  services->publisher = d.publisher.get();
  services->metrics = d.metrics.get();
  services->sink = d.consumer.get();
  d.pool = std::make_unique<detail::keyed_pool>(std::move(services), d.options, d.name);
  d.pool->start();
  std::string why;
  if (auto r = d.consumer->start(*d.pool, why); !r) {
    warn("cannot start the consumer: " + why);
    d.pool->stop();
    d.blocking->stop();
    d.consumer.reset();
    d.pool.reset();
    return r;
  }
  d.started = true;
  return {};
}

void bus::stop() {
  auto& d = *impl_;
  // Concurrent callers wait for the first one. The work runs without `mu`, so handlers may call
  // `stats()` while their bus drains.
  std::call_once(d.stop_once, [&d] {
    {
      std::lock_guard lock(d.mu);
      d.stopped = true;
      if (!d.started) return;
    }
    // Order: no new records, in-flight work drained and committed, then the actors, the handler
    // threads and the producer's last dead letters.
    d.consumer->request_stop();
    d.consumer->join();
    d.pool->stop();
    d.blocking->stop();
    (void)d.publisher->flush(d.config.kafka.producer.timeout);
  });
}

bool bus::wait_stopped(std::chrono::milliseconds timeout) const {
  auto& d = *impl_;
  detail::consumer_loop* c = nullptr;
  {
    std::lock_guard lock(d.mu);
    if (!d.started) return d.stopped;
    c = d.consumer.get();
  }
  return c->wait_stopped(timeout);
}

std::error_code bus::failure() const {
  auto& d = *impl_;
  std::lock_guard lock(d.mu);
  return d.consumer ? d.consumer->failure() : std::error_code{};
}

bool bus::ready() const {
  return impl_->ready();
}

bus_stats bus::stats() const {
  const auto& m = *impl_->metrics;
  bus_stats s;
  s.received = count(m.received);
  s.handled = count(m.pool_handled);
  s.dead_lettered = count(m.pool_dead_lettered);
  s.skipped = count(m.skipped);
  s.malformed = count(m.malformed);
  s.retries = count(m.retries);
  s.without_aggregate = count(m.without_aggregate);
  s.key_mismatch = count(m.key_mismatch);
  s.rebalance_duplicates = count(m.rebalance_duplicates);
  s.commits = count(m.commits);
  s.commit_failures = count(m.commit_failures);
  s.dead_letter_failures = count(m.dlq_failures);
  s.actor_restarts = count(m.pool_restarts);
  s.actors_replaced = count(m.pool_replaced);
  s.pool_actors = static_cast<std::size_t>(m.pool_actors.value());
  std::lock_guard lock(impl_->mu);
  if (const auto* c = impl_->consumer.get()) {
    s.in_flight = c->in_flight();
    s.held = c->held();
    s.assigned_partitions = c->assigned();
    s.paused_partitions = c->paused();
    s.lag = c->lag();
  }
  return s;
}

kafka::publisher& bus::publisher() noexcept {
  return *impl_->publisher;
}

const std::string& bus::bootstrap_servers() const noexcept {
  return impl_->bootstrap;
}

mock_cluster* bus::embedded_broker() noexcept {
  return impl_->embedded.get();
}

metrics::registry& bus::metrics() noexcept {
  return *impl_->metrics->registry;
}

std::string bus::metrics_endpoint() const {
  return impl_->http ? impl_->http->address() : std::string{};
}

const bus_config& bus::config() const noexcept {
  return impl_->config;
}

}  // namespace hollywood::eventbus::kafka
