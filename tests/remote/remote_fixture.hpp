// SPDX-License-Identifier: MIT
#pragma once

// Engines with remotes in one test process, on loopback.

#include <hollywood/actor.hpp>
#include <hollywood/remote/remote.hpp>

#include "test_messages.pb.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <hollywood_test/ports.hpp>
#include <memory>
#include <string>

namespace hollywood::test {

/// An engine reachable over the network. Destroying it shuts the engine down, which stops the
/// remote.
struct remote_node {
  std::shared_ptr<remote::remote> net;
  std::unique_ptr<actor::engine> engine;

  [[nodiscard]] std::string address() const { return net->address(); }
  /// A PID naming `id` on this node, as another engine would write it.
  [[nodiscard]] actor::pid at(std::string_view id) const { return actor::pid(address(), id); }
};

/// Codecs of the test messages.
inline std::shared_ptr<remote::type_registry> test_types() {
  auto types = std::make_shared<remote::type_registry>();
  (void)types->add_protobuf<Greeting>();
  (void)types->add_protobuf<Counter>();
  return types;
}

/// A remote config with short deadlines, so failure tests finish quickly.
inline remote::remote_config fast_config() {
  return remote::remote_config{}
      .with_unreachable_deadline(std::chrono::milliseconds(400))
      .with_linger(std::chrono::milliseconds(200))
      .with_reconnect_backoff(std::chrono::milliseconds(5), std::chrono::milliseconds(50));
}

inline remote_node make_node(remote::remote_config cfg = fast_config(),
                             std::shared_ptr<remote::type_registry> types = test_types()) {
  remote_node n;
  auto r = remote::remote::create(cfg.with_types(std::move(types)));
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  if (!r) return n;
  n.net = *r;
  auto e = actor::engine::create(actor::engine_config{}.with_workers(1).with_remote(n.net));
  EXPECT_TRUE(e);
  if (e) n.engine = std::move(*e);
  return n;
}

inline Counter counter(std::uint64_t v) {
  Counter c;
  c.set_value(v);
  return c;
}

inline Greeting greeting(std::string text, int n = 0) {
  Greeting g;
  g.set_text(std::move(text));
  g.set_n(n);
  return g;
}

}  // namespace hollywood::test
