// SPDX-License-Identifier: MIT
#pragma once

/// Loopback ports for tests that must name an address before anything listens on it: a
/// cluster's seed list, etcd's ports, an address where nothing should listen.
///
/// Asking the kernel for a free port (bind to port 0, close) is not enough when ctest runs tests
/// side by side: the kernel hands the same port to the next asker soon enough, and a peer of one
/// test that is still redialling a node it killed then reaches another test's node (a stray
/// message there is a dead letter nobody expected). So ports come from below the kernel's
/// ephemeral range, which neither port-0 listeners nor outgoing connections ever use, and are
/// handed out in turn across every test process of a run through a counter in a locked file:
/// two tests never get the same port until the range (about 12,000) wraps.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace hollywood::test {

namespace detail {

/// The kernel's lowest ephemeral port (32768 unless configured otherwise).
inline unsigned ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  if (!(in >> low) || low < 2048) low = 32768;
  return low;
}

/// Whether a listener could bind the port now (with SO_REUSEADDR, as ours do).
inline bool bindable(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// Closes the descriptor (and so drops its lock) on every path.
struct locked_file {
  int fd;
  explicit locked_file(const std::string& path) : fd(::open(path.c_str(), O_RDWR | O_CREAT, 0600)) {
    if (fd >= 0) ::flock(fd, LOCK_EX);
  }
  locked_file(const locked_file&) = delete;
  locked_file& operator=(const locked_file&) = delete;
  ~locked_file() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace detail

/// A loopback port no other test of this run was given, free when returned. @threadsafe
inline std::uint16_t reserved_port() {
  const unsigned high = detail::ephemeral_low();  // exclusive
  const unsigned low = high > 14'000 ? high - 12'000 : 2048;
  const unsigned span = high - low;
  const detail::locked_file f("/tmp/hollywood-test-ports." + std::to_string(::getuid()));
  // A run with no file yet starts anywhere; without a file at all, ports are merely spread.
  unsigned next = static_cast<unsigned>(::getpid());
  char text[16] = {};
  if (f.fd >= 0 && ::pread(f.fd, text, sizeof text - 1, 0) > 0)
    next = static_cast<unsigned>(std::strtoul(text, nullptr, 10));
  std::uint16_t port = 0;
  for (unsigned tries = 0; tries < span; ++tries) {
    const auto candidate = static_cast<std::uint16_t>(low + next++ % span);
    if (detail::bindable(candidate)) {
      port = candidate;
      break;
    }
  }
  if (f.fd >= 0) {
    const std::string saved = std::to_string(next % span) + "\n";
    if (::ftruncate(f.fd, 0) == 0) (void)!::pwrite(f.fd, saved.data(), saved.size(), 0);
  }
  return port;
}

/// "127.0.0.1:<reserved_port()>". @threadsafe
inline std::string reserved_address() {
  return "127.0.0.1:" + std::to_string(reserved_port());
}

}  // namespace hollywood::test
