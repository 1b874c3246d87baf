// SPDX-License-Identifier: MIT
#pragma once

// One connection's byte stream: a TCP socket, or TLS over it. Callers write the same code for
// both; which one a connection uses is fixed when it is made. Used on the remote's I/O thread
// only.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string>
#include <utility>

namespace hollywood::remote::detail {

class stream {
 public:
  /// Plain TCP when `tls` is null.
  stream(asio::io_context& io, asio::ssl::context* tls) : socket_(io) {
    if (tls != nullptr)
      tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, *tls);
  }

  [[nodiscard]] asio::ip::tcp::socket& socket() noexcept { return socket_; }
  [[nodiscard]] bool secure() const noexcept { return tls_ != nullptr; }

  /// Client side: checks that the server's certificate names `host` (an IP or a DNS name).
  void verify_host(const std::string& host) {
    if (tls_) tls_->set_verify_callback(asio::ssl::host_name_verification(host));
  }

  /// Completes at once for plain TCP.
  template <class Handler>
  void async_handshake(asio::ssl::stream_base::handshake_type side, Handler&& h) {
    if (tls_) {
      tls_->async_handshake(side, std::forward<Handler>(h));
    } else {
      asio::post(socket_.get_executor(),
                 [h = std::forward<Handler>(h)]() mutable { h(std::error_code{}); });
    }
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& b, Handler&& h) {
    if (tls_) {
      tls_->async_read_some(b, std::forward<Handler>(h));
    } else {
      socket_.async_read_some(b, std::forward<Handler>(h));
    }
  }

  /// Writes all of `b`.
  template <class Buffers, class Handler>
  void async_write(const Buffers& b, Handler&& h) {
    if (tls_) {
      asio::async_write(*tls_, b, std::forward<Handler>(h));
    } else {
      asio::async_write(socket_, b, std::forward<Handler>(h));
    }
  }

  /// Closes the socket; pending operations complete with `operation_aborted`. No TLS
  /// close_notify: the peer learns from the TCP close, and nothing waits on a hostile peer.
  void close() noexcept {
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
};

}  // namespace hollywood::remote::detail
