// SPDX-License-Identifier: MIT
// Engines over TLS, with certificates generated for the test.

#include "remote_fixture.hpp"
#include "test_certs.hpp"

#include <hollywood_test/recorder.hpp>
#include <hollywood_test/wait.hpp>

namespace {

using namespace hollywood::actor;
using namespace hollywood::test;
using hollywood::errc;
namespace remote = hollywood::remote;

pid spawn_echo(engine& e) {
  return e.spawn_fn(
      [](context& ctx) {
        if (auto* g = ctx.get_if<Greeting>()) ctx.respond(greeting("echo: " + g->text(), g->n()));
      },
      "echo", spawn_options{}.with_id("1"));
}

void expect_round_trip(remote_node& a, remote_node& b) {
  spawn_echo(*b.engine);
  for (int i = 0; i < 5; ++i) {
    auto r =
        a.engine->request(b.at("echo/1"), greeting("secret", i), std::chrono::seconds(30)).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->get<Greeting>().text(), "echo: secret");
  }
}

TEST(remote_tls, a_request_and_its_answer_cross_over_tls) {
  test_pki pki("ok");
  ASSERT_TRUE(pki.ok());
  auto a = make_node(fast_config().with_tls(pki.node(remote::tls_verification::server)));
  auto b = make_node(fast_config().with_tls(pki.node(remote::tls_verification::server)));
  ASSERT_TRUE(a.engine && b.engine);
  expect_round_trip(a, b);
}

TEST(remote_tls, mutual_tls_round_trip) {
  test_pki pki("mutual");
  ASSERT_TRUE(pki.ok());
  auto a = make_node(fast_config().with_tls(pki.node(remote::tls_verification::mutual)));
  auto b = make_node(fast_config().with_tls(pki.node(remote::tls_verification::mutual)));
  ASSERT_TRUE(a.engine && b.engine);
  expect_round_trip(a, b);
}

TEST(remote_tls, a_peer_with_a_certificate_from_another_ca_is_refused) {
  test_pki good("good");
  test_pki rogue("rogue");
  ASSERT_TRUE(good.ok() && rogue.ok());
  auto server = make_node(fast_config().with_tls(good.node(remote::tls_verification::mutual)));
  // The rogue trusts the good CA (so it accepts the server) but its own certificate is not.
  auto client =
      make_node(fast_config().with_tls(rogue.node(good, remote::tls_verification::mutual)));
  ASSERT_TRUE(server.engine && client.engine);
  recorder server_events(*server.engine, "events");
  server.engine->subscribe(server_events.pid());
  recorder client_events(*client.engine, "events");
  client.engine->subscribe(client_events.pid());
  recorder sink(*server.engine, "sink");
  // Whether the client learns during its handshake or just after it (TLS 1.3 servers check the
  // client's certificate after the client finished), the peer stays unreachable.
  ASSERT_TRUE(wait_until([&] {
    client.engine->send(server.at(sink.pid().id()), greeting("let me in"));
    return client_events.count<remote::remote_unreachable_event>() > 0;
  }));
  ASSERT_TRUE(client_events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::unreachable ||
           d.reason == dead_letter_reason::maybe_delivered;
  }));
  ASSERT_TRUE(server_events.wait_count<remote::remote_protocol_error_event>(1));
  EXPECT_EQ(sink.count<Greeting>(), 0u);
}

TEST(remote_tls, a_plain_tcp_client_cannot_talk_to_a_tls_engine) {
  test_pki pki("plain");
  ASSERT_TRUE(pki.ok());
  auto server = make_node(fast_config().with_tls(pki.node(remote::tls_verification::server)));
  auto client = make_node(fast_config());
  recorder server_events(*server.engine, "events");
  server.engine->subscribe(server_events.pid());
  recorder sink(*server.engine, "sink");
  client.engine->send(server.at(sink.pid().id()), greeting("hello"));
  ASSERT_TRUE(server_events.wait_count<remote::remote_protocol_error_event>(1));
  EXPECT_EQ(sink.count<Greeting>(), 0u);
}

TEST(remote_tls, missing_pem_files_are_a_configuration_error) {
  auto r = remote::remote::create(fast_config().with_tls(
      remote::tls_config{"/nonexistent/node.crt", "/nonexistent/node.key", "/nonexistent/ca.crt",
                         remote::tls_verification::server}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::invalid_config);
}

}  // namespace
