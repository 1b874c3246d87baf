// SPDX-License-Identifier: MIT
#pragma once

// Engine addresses are "host:port" ("[v6]:port" for IPv6 literals): what a remote listens on and
// what peers dial.

#include <hollywood/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace hollywood::remote::detail {

struct host_port {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

/// Splits `address`; `errc::invalid_argument` if it has no host, or no port in 0..65535.
expected<host_port> split_address(std::string_view address);

/// Joins a host and a port back into an address, bracketing IPv6 literals.
std::string join_address(std::string_view host, std::uint16_t port);

}  // namespace hollywood::remote::detail
