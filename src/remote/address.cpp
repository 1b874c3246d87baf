// SPDX-License-Identifier: MIT
#include "address.hpp"

#include <charconv>

namespace hollywood::remote::detail {

expected<host_port> split_address(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return unexpected(errc::invalid_argument);
  }
  std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return unexpected(errc::invalid_argument);
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return unexpected(errc::invalid_argument);  // an IPv6 literal needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    return unexpected(errc::invalid_argument);
  }
  return host_port{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string join_address(std::string_view host, std::uint16_t port) {
  std::string out;
  const bool v6 = host.find(':') != std::string_view::npos;
  if (v6) out.push_back('[');
  out.append(host);
  if (v6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port));
  return out;
}

}  // namespace hollywood::remote::detail
