// SPDX-License-Identifier: MIT
#pragma once

/// An HTTP server for Prometheus scrapes: `GET /metrics` answers a registry's exposition.
///
///   auto reg = std::make_shared<registry>();
///   auto http = exposer::start("127.0.0.1:9464", reg).value();   // port 0: any free port
///   http->port();
///
/// One per process is the norm (each owns a small civetweb server with its own threads). Once it
/// has served a request, destroying it takes about 2 s (civetweb's linger), so tests keep one
/// per fixture.
/// @threadsafe

#include <hollywood/expected.hpp>
#include <hollywood/metrics/registry.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Exposer;
}

namespace hollywood::metrics {

/// See the file comment. @threadsafe
class exposer {
 public:
  /// Listens on `listen` ("host:port") and serves `reg` at `/metrics`. Errors:
  /// `errc::invalid_argument` (no port), `std::errc::address_in_use` (cannot bind).
  static expected<std::unique_ptr<exposer>> start(std::string_view listen,
                                                  std::shared_ptr<registry> reg);

  exposer(const exposer&) = delete;
  exposer& operator=(const exposer&) = delete;
  ~exposer();

  /// The port it listens on (the real one when 0 was asked for).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// "host:port" with the real port.
  [[nodiscard]] std::string address() const;

 private:
  exposer(std::unique_ptr<prometheus::Exposer> http, std::shared_ptr<registry> reg,
          std::string host, std::uint16_t port);

  std::unique_ptr<prometheus::Exposer> http_;
  std::shared_ptr<registry> registry_;
  std::string host_;
  std::uint16_t port_;
};

}  // namespace hollywood::metrics
