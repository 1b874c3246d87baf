// SPDX-License-Identifier: MIT
#include <hollywood/error.hpp>
#include <hollywood/metrics/exposer.hpp>

#include <CivetServer.h>

#include <charconv>
#include <exception>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace hollywood::metrics {

namespace {

/// Writes a whole response; civetweb adds nothing (the handler reports the request handled).
void respond(mg_connection* conn, int status, std::string_view reason, std::string_view type,
             std::string_view body) {
  mg_printf(conn,
            "HTTP/1.1 %d %.*s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, static_cast<int>(reason.size()), reason.data(), static_cast<int>(type.size()),
            type.data(), body.size());
  mg_write(conn, body.data(), body.size());
}

/// Runs `checks`; returns the names of those that fail (or throw).
std::string failing(const std::vector<named_check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    bool ok = false;
    try {
      ok = c.passes();
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) out += (out.empty() ? "" : ", ") + c.name;
  }
  return out;
}

}  // namespace

// The handlers and the checks they run; the civetweb server calls the handlers on its threads.
struct exposer::server {
  class metrics_handler final : public CivetHandler {
   public:
    explicit metrics_handler(std::shared_ptr<registry> reg) : reg_(std::move(reg)) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
      try {
        respond(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", reg_->exposition());
      } catch (const std::exception& e) {
        respond(conn, 500, "Internal Server Error", "text/plain", e.what());
      }
      return true;
    }

   private:
    std::shared_ptr<registry> reg_;
  };

  class check_handler final : public CivetHandler {
   public:
    check_handler(const server& owner, bool readiness) : owner_(owner), readiness_(readiness) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
      std::string bad;
      try {
        bad = owner_.failing_checks(readiness_);
      } catch (const std::exception& e) {
        bad = e.what();
      }
      if (bad.empty()) {
        respond(conn, 200, "OK", "text/plain", readiness_ ? "ready\n" : "ok\n");
      } else {
        respond(conn, 503, "Service Unavailable", "text/plain",
                (readiness_ ? "not ready: " : "unhealthy: ") + bad + "\n");
      }
      return true;
    }

   private:
    const server& owner_;
    const bool readiness_;
  };

  server(std::shared_ptr<registry> reg, probes p)
      : metrics(std::move(reg)), health(*this, false), ready(*this, true), checks(std::move(p)) {}

  /// The names of the failing checks ("" when all pass): health checks, and for readiness the
  /// readiness checks too.
  std::string failing_checks(bool readiness) const {
    std::string bad = failing(checks.health);
    if (readiness) {
      const std::string not_ready = failing(checks.readiness);
      bad += (bad.empty() || not_ready.empty() ? "" : ", ") + not_ready;
    }
    return bad;
  }

  metrics_handler metrics;
  check_handler health;
  check_handler ready;
  const probes checks;  // fixed before the server starts: read without a lock
  // Last: destroyed first, so no request runs a handler that is gone.
  std::unique_ptr<CivetServer> http;
};

expected<std::unique_ptr<exposer>> exposer::start(std::string_view listen,
                                                  std::shared_ptr<registry> reg, probes checks) {
  const auto colon = listen.rfind(':');
  if (reg == nullptr || colon == std::string_view::npos || colon + 1 == listen.size()) {
    return unexpected(errc::invalid_argument);
  }
  unsigned port = 0;
  const auto digits = listen.substr(colon + 1);
  if (auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      ec != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
    return unexpected(errc::invalid_argument);
  }
  auto s = std::make_unique<server>(std::move(reg), std::move(checks));
  try {
    // Two threads: a slow scrape never holds up a health probe.
    s->http = std::make_unique<CivetServer>(
        std::vector<std::string>{"listening_ports", std::string(listen), "num_threads", "2"});
  } catch (const std::exception&) {
    // civetweb reports a failed bind by throwing; the text only repeats the address.
    return unexpected(std::make_error_code(std::errc::address_in_use));
  }
  s->http->addHandler("/metrics", s->metrics);
  s->http->addHandler("/healthz", s->health);
  s->http->addHandler("/readyz", s->ready);
  const auto ports = s->http->getListeningPorts();
  if (ports.empty()) return unexpected(std::make_error_code(std::errc::address_in_use));
  return std::unique_ptr<exposer>(new exposer(std::move(s), std::string(listen.substr(0, colon)),
                                              static_cast<std::uint16_t>(ports.front())));
}

exposer::exposer(std::unique_ptr<server> s, std::string host, std::uint16_t port) noexcept
    : server_(std::move(s)), host_(std::move(host)), port_(port) {}

exposer::~exposer() = default;

std::string exposer::address() const {
  return host_ + ":" + std::to_string(port_);
}

}  // namespace hollywood::metrics
