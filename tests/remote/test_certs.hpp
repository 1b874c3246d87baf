// SPDX-License-Identifier: MIT
#pragma once

// Throw-away certificates made with the openssl command when a test runs: a CA, and a node
// certificate it signed for 127.0.0.1 (server and client use).

#include <hollywood/remote/remote_config.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace hollywood::test {

class test_pki {
 public:
  /// Makes a CA named `name` and one node certificate signed by it, in a fresh directory.
  explicit test_pki(const std::string& name) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("hollywood-pki-XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    std::ofstream(dir_ / "ext.cnf") << "subjectAltName=IP:127.0.0.1\n"
                                       "extendedKeyUsage=serverAuth,clientAuth\n";
    const std::string d = dir_.string();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    ok_ = run("openssl req -x509 " + ec + "-keyout " + d + "/ca.key -out " + d +
              "/ca.crt -days 2 -subj /CN=" + name + "-ca") &&
          run("openssl req " + ec + "-keyout " + d + "/node.key -out " + d +
              "/node.csr -subj /CN=" + name + "-node") &&
          run("openssl x509 -req -in " + d + "/node.csr -CA " + d + "/ca.crt -CAkey " + d +
              "/ca.key -CAcreateserial -out " + d + "/node.crt -days 2 -extfile " + d + "/ext.cnf");
    EXPECT_TRUE(ok_) << "openssl could not make the test certificates";
  }
  test_pki(const test_pki&) = delete;
  test_pki& operator=(const test_pki&) = delete;
  ~test_pki() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::string ca() const { return (dir_ / "ca.crt").string(); }

  /// TLS settings for a node holding this PKI's certificate and trusting `trusted`'s CA.
  [[nodiscard]] remote::tls_config node(const test_pki& trusted, remote::tls_verification v) const {
    return remote::tls_config{(dir_ / "node.crt").string(), (dir_ / "node.key").string(),
                              trusted.ca(), v};
  }
  [[nodiscard]] remote::tls_config node(remote::tls_verification v) const { return node(*this, v); }

 private:
  static bool run(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
  }

  std::filesystem::path dir_;
  bool ok_ = false;
};

}  // namespace hollywood::test
