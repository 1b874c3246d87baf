// SPDX-License-Identifier: MIT
#include <hollywood/error.hpp>
#include <hollywood/metrics/exposer.hpp>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <exception>
#include <string>
#include <system_error>
#include <utility>

namespace hollywood::metrics {

expected<std::unique_ptr<exposer>> exposer::start(std::string_view listen,
                                                  std::shared_ptr<registry> reg) {
  const auto colon = listen.rfind(':');
  if (reg == nullptr || colon == std::string_view::npos || colon + 1 == listen.size()) {
    return unexpected(errc::invalid_argument);
  }
  std::unique_ptr<prometheus::Exposer> http;
  try {
    // One civetweb worker thread is plenty for scrapes.
    http = std::make_unique<prometheus::Exposer>(std::string(listen), 1);
  } catch (const std::exception&) {
    // civetweb reports a failed bind by throwing; the text only repeats the address.
    return unexpected(std::make_error_code(std::errc::address_in_use));
  }
  http->RegisterCollectable(reg->native());
  const auto ports = http->GetListeningPorts();
  if (ports.empty()) return unexpected(std::make_error_code(std::errc::address_in_use));
  return std::unique_ptr<exposer>(new exposer(std::move(http), std::move(reg),
                                              std::string(listen.substr(0, colon)),
                                              static_cast<std::uint16_t>(ports.front())));
}

exposer::exposer(std::unique_ptr<prometheus::Exposer> http, std::shared_ptr<registry> reg,
                 std::string host, std::uint16_t port)
    : http_(std::move(http)), registry_(std::move(reg)), host_(std::move(host)), port_(port) {}

exposer::~exposer() = default;

std::string exposer::address() const {
  return host_ + ":" + std::to_string(port_);
}

}  // namespace hollywood::metrics
