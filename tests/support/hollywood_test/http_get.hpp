// SPDX-License-Identifier: MIT
#pragma once

/// A minimal HTTP/1.0 GET over a plain socket for tests that scrape `/metrics`: no client
/// library, so what is checked is exactly what a scraper receives on the wire.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace hollywood::test {

struct http_response {
  int status = 0;
  std::string body;
};

/// GETs `path` from 127.0.0.1:`port`; nothing when the connection fails.
inline std::optional<http_response> http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto space = raw.find(' ');
  const auto blank = raw.find("\r\n\r\n");
  if (space == std::string::npos || blank == std::string::npos) return std::nullopt;
  http_response r;
  r.status = std::stoi(raw.substr(space + 1, 3));
  r.body = raw.substr(blank + 4);
  return r;
}

}  // namespace hollywood::test
