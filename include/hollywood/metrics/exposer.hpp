// SPDX-License-Identifier: MIT
#pragma once

/// The process's HTTP endpoint for operators: `GET /metrics` answers a registry's exposition
/// (Prometheus text format 0.0.4), `GET /healthz` whether the process is alive, `GET /readyz`
/// whether it should receive work.
///
///   auto reg = std::make_shared<registry>();
///   probes checks;
///   checks.health.push_back({"engine", [&e] { return e->running(); }});
///   checks.readiness.push_back({"cluster", [&c] { return c->serving(); }});
///   auto http = exposer::start("127.0.0.1:9464", reg, checks).value();   // port 0: any free
///
/// `/healthz` answers 200 `ok` while every health check passes, else 503 naming the failing
/// ones; `/readyz` answers 200 `ready` while every health *and* readiness check passes, else
/// 503. With no checks both answer 200. The checks are fixed at `start`, so `/readyz` never says
/// ready before they are in place. They run on the server's threads at each request: they must
/// be quick and thread-safe, and what they capture must outlive the exposer.
///
/// One per process is the norm (each owns a small civetweb server with two threads). Once it has
/// served a request, destroying it can take a couple of seconds (civetweb's shutdown), so tests
/// keep one per fixture.
/// @threadsafe

#include <hollywood/expected.hpp>
#include <hollywood/metrics/registry.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::metrics {

/// A health or readiness check: true when it passes.
using check = std::function<bool()>;

/// A check and the name `/healthz` or `/readyz` gives when it fails.
struct named_check {
  std::string name;
  check passes;
};

/// An exposer's checks. A value type (set-up object).
struct probes {
  /// For `/healthz` (and `/readyz`): is the process able to work at all?
  std::vector<named_check> health;
  /// For `/readyz`: should the process receive work now (joined its cluster, its group)?
  std::vector<named_check> readiness;
};

/// See the file comment. @threadsafe
class exposer {
 public:
  /// Listens on `listen` ("host:port") and serves `reg` and `checks`. Errors:
  /// `errc::invalid_argument` (no port, no registry), `std::errc::address_in_use` (cannot bind).
  static expected<std::unique_ptr<exposer>> start(std::string_view listen,
                                                  std::shared_ptr<registry> reg,
                                                  probes checks = {});

  exposer(const exposer&) = delete;
  exposer& operator=(const exposer&) = delete;
  ~exposer();

  /// The port it listens on (the real one when 0 was asked for).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// "host:port" with the real port.
  [[nodiscard]] std::string address() const;

 private:
  struct server;
  exposer(std::unique_ptr<server> s, std::string host, std::uint16_t port) noexcept;

  std::unique_ptr<server> server_;
  std::string host_;
  std::uint16_t port_;
};

}  // namespace hollywood::metrics
