// SPDX-License-Identifier: MIT
#pragma once

// A real etcd (Debian's etcd-server) for one test: free loopback ports, a temporary data
// directory, stopped by PID.

#include <gtest/gtest.h>

#include <httplib.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <hollywood_test/ports.hpp>
#include <hollywood_test/wait.hpp>
#include <string>
#include <vector>

extern char** environ;

namespace hollywood::test {

class etcd_server {
 public:
  etcd_server() {
    char tmpl[] = "/tmp/hollywood-etcd-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (d == nullptr) return;
    dir_ = d;
    const auto client = reserved_port();
    const auto peer = reserved_port();
    endpoint_ = "http://127.0.0.1:" + std::to_string(client);
    const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
    std::vector<std::string> args{"etcd",
                                  "--name",
                                  "t1",
                                  "--data-dir",
                                  dir_ + "/data",
                                  "--listen-client-urls",
                                  endpoint_,
                                  "--advertise-client-urls",
                                  endpoint_,
                                  "--listen-peer-urls",
                                  peer_url,
                                  "--initial-advertise-peer-urls",
                                  peer_url,
                                  "--initial-cluster",
                                  "t1=" + peer_url,
                                  "--logger",
                                  "zap",
                                  "--log-level",
                                  "error"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "etcd", nullptr, nullptr, argv.data(), environ) != 0) pid_ = 0;
  }

  ~etcd_server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  etcd_server(const etcd_server&) = delete;
  etcd_server& operator=(const etcd_server&) = delete;

  /// Waits until etcd answers on its client port.
  [[nodiscard]] bool ready() const {
    if (pid_ <= 0) return false;
    return wait_until([&] {
      httplib::Client c(endpoint_);
      c.set_connection_timeout(std::chrono::milliseconds(200));
      auto r = c.Get("/health");
      return r && r->status == 200 && r->body.find("true") != std::string::npos;
    });
  }

  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

 private:
  std::string dir_;
  std::string endpoint_;
  pid_t pid_ = 0;
};

}  // namespace hollywood::test
