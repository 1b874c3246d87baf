// SPDX-License-Identifier: MIT
#pragma once

// OpenSSL contexts built from a tls_config's PEM files.

#include <hollywood/expected.hpp>
#include <hollywood/remote/remote_config.hpp>

#include <asio/ssl.hpp>
#include <memory>

namespace hollywood::remote::detail {

enum class tls_role : std::uint8_t { server, client };

/// TLS 1.2 or later. Server: presents the certificate; with `mutual`, requires and verifies the
/// client's. Client: verifies the server against the CA (host checked per connection); with
/// `mutual`, presents the certificate. `errc::invalid_config` (logged) if a file does not load.
expected<std::unique_ptr<asio::ssl::context>> make_tls_context(const tls_config& cfg,
                                                               tls_role role);

}  // namespace hollywood::remote::detail
