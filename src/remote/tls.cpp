// SPDX-License-Identifier: MIT
#include "tls.hpp"

#include <hollywood/actor/log.hpp>

#include <string>

namespace hollywood::remote::detail {

namespace {

expected<std::unique_ptr<asio::ssl::context>> refuse(const std::string& what,
                                                     const std::error_code& ec) {
  actor::write_log(actor::log_level::error, "remote TLS: " + what + ": " + ec.message());
  return unexpected(errc::invalid_config);
}

}  // namespace

expected<std::unique_ptr<asio::ssl::context>> make_tls_context(const tls_config& cfg,
                                                               tls_role role) {
  const bool server = role == tls_role::server;
  auto ctx = std::make_unique<asio::ssl::context>(server ? asio::ssl::context::tls_server
                                                         : asio::ssl::context::tls_client);
  std::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  if (ec) return refuse("options", ec);
  const bool present = server || cfg.verification == tls_verification::mutual;
  if (present) {
    ctx->use_certificate_chain_file(cfg.certificate_file, ec);
    if (ec) return refuse("certificate " + cfg.certificate_file, ec);
    ctx->use_private_key_file(cfg.private_key_file, asio::ssl::context::pem, ec);
    if (ec) return refuse("private key " + cfg.private_key_file, ec);
  }
  const bool verify = !server || cfg.verification == tls_verification::mutual;
  if (verify) {
    ctx->load_verify_file(cfg.ca_file, ec);
    if (ec) return refuse("CA file " + cfg.ca_file, ec);
    auto mode = asio::ssl::verify_peer;
    if (server) mode |= asio::ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode, ec);
    if (ec) return refuse("verify mode", ec);
  } else {
    ctx->set_verify_mode(asio::ssl::verify_none, ec);
    if (ec) return refuse("verify mode", ec);
  }
  return ctx;
}

}  // namespace hollywood::remote::detail
