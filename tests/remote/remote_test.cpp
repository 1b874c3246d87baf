// SPDX-License-Identifier: MIT
// Two (or three) engines with remotes in one process, talking over loopback TCP.

#include "remote_fixture.hpp"

#include <asio.hpp>
#include <atomic>
#include <hollywood_test/recorder.hpp>
#include <hollywood_test/wait.hpp>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::actor;
using namespace hollywood::test;
using hollywood::errc;
namespace remote = hollywood::remote;

TEST(remote, a_million_messages_from_one_sender_arrive_complete_and_in_order) {
  auto a = make_node();
  auto b = make_node();
  constexpr std::uint64_t total = 1'000'000;
  auto next = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto out_of_order = std::make_shared<std::atomic<std::uint64_t>>(0);
  b.engine->spawn_fn(
      [next, out_of_order](context& ctx) {
        if (auto* c = ctx.get_if<Counter>()) {
          const auto expected = next->load(std::memory_order_relaxed);
          if (c->value() != expected) out_of_order->fetch_add(1, std::memory_order_relaxed);
          next->store(c->value() + 1, std::memory_order_release);
        }
      },
      "sink", spawn_options{}.with_id("1"));
  const pid sink = b.at("sink/1");
  for (std::uint64_t i = 0; i < total; ++i)
    a.engine->send(sink, counter(i));
  ASSERT_TRUE(wait_until([&] { return next->load(std::memory_order_acquire) == total; },
                         std::chrono::minutes(3)))
      << "got " << next->load();
  EXPECT_EQ(out_of_order->load(), 0u);
  EXPECT_EQ(a.engine->stats().dead_letters, 0u);
  EXPECT_EQ(a.net->stats().messages_sent, total);
  EXPECT_EQ(b.net->stats().messages_received, total);
  EXPECT_LT(a.net->stats().batches_sent, total / 8) << "the writer coalesces messages";
}

TEST(remote, stats_count_frames_bytes_and_connections_on_both_sides) {
  auto a = make_node();
  auto b = make_node();
  recorder seen(*b.engine, "seen");
  const pid there = b.at(seen.pid().id());
  for (int i = 0; i < 10; ++i)
    a.engine->send(there, greeting("hello", i));
  ASSERT_TRUE(seen.wait_count<Greeting>(10));
  // Acknowledgements flow back on b's own connection to a.
  ASSERT_TRUE(wait_until([&] { return a.net->stats().frames_received >= 1; }));
  const auto sa = a.net->stats();
  const auto sb = b.net->stats();
  EXPECT_EQ(sa.messages_sent, 10u);
  EXPECT_GE(sa.frames_sent, sa.batches_sent + 1) << "a hello, then the batches";
  EXPECT_GT(sa.bytes_sent, 0u);
  EXPECT_EQ(sa.connects, 1u);
  EXPECT_EQ(sa.reconnects, 0u);
  EXPECT_EQ(sa.outbound_connections, 1u);
  EXPECT_EQ(sb.connections_accepted, 1u);
  EXPECT_EQ(sb.inbound_connections, 1u);
  EXPECT_GE(sb.frames_received, sa.batches_sent + 1);
  EXPECT_GT(sb.bytes_received, 0u);
  EXPECT_EQ(sb.protocol_errors, 0u);
  EXPECT_EQ(sa.dead_letters, 0u);
}

TEST(remote, the_sender_survives_the_wire_and_an_absent_sender_stays_absent) {
  auto a = make_node();
  auto b = make_node();
  recorder seen(*b.engine, "seen");
  const pid there = b.at(seen.pid().id());
  const pid me = a.engine->spawn_fn([](context&) {}, "me", spawn_options{}.with_id("7"));
  a.engine->send_with_sender(there, greeting("with sender"), me);
  a.engine->send(there, greeting("without sender"));
  ASSERT_TRUE(seen.wait_count<Greeting>(2));
  const auto senders = seen.senders<Greeting>();
  const auto texts = seen.all<Greeting>();
  ASSERT_EQ(texts[0].text(), "with sender");
  EXPECT_EQ(senders[0], me);
  EXPECT_EQ(senders[0].address(), a.address());
  EXPECT_EQ(senders[0].id(), "me/7");
  EXPECT_FALSE(senders[1]) << "a missing sender is not replaced by anyone";
}

pid spawn_echo(engine& e) {
  return e.spawn_fn(
      [](context& ctx) {
        if (auto* g = ctx.get_if<Greeting>()) ctx.respond(greeting("echo: " + g->text(), g->n()));
      },
      "echo", spawn_options{}.with_id("1"));
}

TEST(remote, a_blocking_request_gets_its_answer_from_another_engine_both_ways) {
  auto a = make_node();
  auto b = make_node();
  spawn_echo(*a.engine);
  spawn_echo(*b.engine);
  for (int i = 0; i < 20; ++i) {
    auto r = a.engine->request(b.at("echo/1"), greeting("ping", i), std::chrono::seconds(30)).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->get<Greeting>().text(), "echo: ping");
    EXPECT_EQ(r->get<Greeting>().n(), i);
    auto back =
        b.engine->request(a.at("echo/1"), greeting("pong", i), std::chrono::seconds(30)).get();
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->get<Greeting>().text(), "echo: pong");
  }
}

TEST(remote, an_actor_request_runs_its_continuation_with_the_remote_answer) {
  auto a = make_node();
  auto b = make_node();
  spawn_echo(*b.engine);
  recorder results(*a.engine, "results");
  const pid echo = b.at("echo/1");
  const pid report = results.pid();
  const pid asker = a.engine->spawn_fn(
      [echo, report](context& ctx) {
        if (auto* g = ctx.get_if<Greeting>()) {
          ctx.request(echo, *g, std::chrono::seconds(30),
                      [report](context& c, hollywood::expected<message> answer) {
                        c.send(report, answer ? answer->get<Greeting>()
                                              : greeting("failed: " + answer.error().message()));
                      });
        }
      },
      "asker");
  for (int i = 0; i < 10; ++i)
    a.engine->send(asker, greeting("q", i));
  ASSERT_TRUE(results.wait_count<Greeting>(10));
  for (const auto& g : results.all<Greeting>())
    EXPECT_EQ(g.text(), "echo: q");
}

TEST(remote, a_request_to_a_missing_remote_actor_times_out_and_the_other_side_dead_letters_it) {
  auto a = make_node();
  auto b = make_node();
  recorder events(*b.engine, "events");
  b.engine->subscribe(events.pid());
  auto r =
      a.engine->request(b.at("nobody/1"), greeting("hello?"), std::chrono::milliseconds(300)).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::timeout);
  EXPECT_TRUE(events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::unknown_target && d.target.id() == "nobody/1";
  }));
}

TEST(remote, forward_keeps_the_original_sender_across_engines) {
  auto a = make_node();
  auto b = make_node();
  recorder last(*a.engine, "last");
  const pid last_there = a.at(last.pid().id());
  b.engine->spawn_fn(
      [last_there](context& ctx) {
        if (ctx.is<Greeting>()) ctx.forward(last_there);
      },
      "relay", spawn_options{}.with_id("1"));
  const pid origin = a.engine->spawn_fn([](context&) {}, "origin", spawn_options{}.with_id("1"));
  a.engine->send_with_sender(b.at("relay/1"), greeting("around"), origin);
  ASSERT_TRUE(last.wait_count<Greeting>(1));
  EXPECT_EQ(last.senders<Greeting>()[0], origin);
}

TEST(remote, an_unregistered_type_is_refused_at_send_time_as_a_dead_letter) {
  auto a = make_node();
  auto b = make_node();
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  struct not_registered {
    int x;
  };
  EXPECT_EQ(a.engine->try_send(b.at("x/1"), not_registered{1}), send_result::unknown_type);
  a.engine->send(b.at("x/1"), not_registered{2});
  ASSERT_TRUE(events.wait_count<dead_letter_event>(2));
  for (const auto& d : events.all<dead_letter_event>())
    EXPECT_EQ(d.reason, dead_letter_reason::unknown_type);
}

TEST(remote, an_engine_without_a_remote_dead_letters_messages_for_other_engines) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  recorder events(*e, "events");
  e->subscribe(events.pid());
  EXPECT_EQ(e->try_send(pid("127.0.0.1:1", "x/1"), counter(1)), send_result::unreachable);
  ASSERT_TRUE(events.wait_for<dead_letter_event>(
      [](const dead_letter_event& d) { return d.reason == dead_letter_reason::unreachable; }));
}

TEST(remote, an_unreachable_peer_turns_queued_messages_into_dead_letters_with_one_event) {
  auto a = make_node();
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  const pid nowhere(reserved_address(), "x/1");
  for (int i = 0; i < 50; ++i)
    a.engine->send(nowhere, counter(static_cast<std::uint64_t>(i)));
  ASSERT_TRUE(events.wait_count<remote::remote_unreachable_event>(1));
  const auto ev = events.all<remote::remote_unreachable_event>().front();
  EXPECT_EQ(ev.address, nowhere.address());
  ASSERT_TRUE(events.wait_count<dead_letter_event>(50));
  // During the outage a send fails at once, and the outage is reported once.
  EXPECT_EQ(a.engine->try_send(nowhere, counter(99)), send_result::unreachable);
  ASSERT_TRUE(events.wait_count<dead_letter_event>(51));
  for (const auto& d : events.all<dead_letter_event>())
    EXPECT_EQ(d.reason, dead_letter_reason::unreachable);
  EXPECT_EQ(events.count<remote::remote_unreachable_event>(), 1u);
  EXPECT_EQ(ev.dead_letters, 50u);
}

TEST(remote, large_messages_each_fit_a_frame_and_one_too_large_is_a_dead_letter) {
  const auto cfg = fast_config().with_max_frame_bytes(1 << 20).with_max_batch(64, 256 << 10);
  auto a = make_node(cfg);
  auto b = make_node(cfg);
  recorder sink(*b.engine, "sink");
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  const pid there = b.at(sink.pid().id());
  // Together they exceed a frame; each alone fits: each must start a batch of its own.
  for (int i = 0; i < 4; ++i)
    a.engine->send(there, greeting(std::string(600 << 10, static_cast<char>('a' + i)), i));
  a.engine->send(there, greeting(std::string(2 << 20, 'x'), 99));  // beyond any frame
  a.engine->send(there, greeting("small", 5));
  ASSERT_TRUE(sink.wait_count<Greeting>(5));
  const auto got = sink.all<Greeting>();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(got[static_cast<std::size_t>(i)].n(), i);
    EXPECT_EQ(got[static_cast<std::size_t>(i)].text().size(), 600u << 10);
  }
  EXPECT_EQ(got[4].text(), "small");
  ASSERT_TRUE(events.wait_for<dead_letter_event>(
      [](const dead_letter_event& d) { return d.detail == "message larger than a frame"; }));
}

TEST(remote, a_death_notice_for_a_watcher_on_an_unreachable_engine_does_not_stall_the_remote) {
  auto a = make_node();
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  const pid target(reserved_address(), "x/1");
  const pid watcher(reserved_address(), "w/1");
  // The watch ends when the target's engine is declared unreachable; its notice then goes to a
  // watcher on yet another unreachable engine, from inside the remote's own bookkeeping.
  a.engine->watch(target, watcher);
  ASSERT_TRUE(events.wait_count<remote::remote_unreachable_event>(2));
  std::set<std::string> addresses;
  for (const auto& e : events.all<remote::remote_unreachable_event>())
    addresses.insert(e.address);
  EXPECT_EQ(addresses,
            (std::set<std::string>{std::string(target.address()), std::string(watcher.address())}));
  auto b = make_node();
  recorder sink(*b.engine, "sink");
  a.engine->send(b.at(sink.pid().id()), greeting("still here"));
  ASSERT_TRUE(sink.wait_count<Greeting>(1));
}

TEST(remote, a_full_queue_to_a_peer_refuses_the_message_at_once) {
  auto a = make_node(fast_config().with_peer_queue_capacity(4).with_unreachable_deadline(
      std::chrono::seconds(30)));
  recorder events(*a.engine, "events");
  a.engine->subscribe(events.pid());
  const pid nowhere(reserved_address(), "x/1");
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(a.engine->try_send(nowhere, counter(1)), send_result::delivered);
  EXPECT_EQ(a.engine->try_send(nowhere, counter(2)), send_result::inbox_full);
  a.engine->send(nowhere, counter(3));
  ASSERT_TRUE(events.wait_for<dead_letter_event>([](const dead_letter_event& d) {
    return d.reason == dead_letter_reason::inbox_full && d.detail == "queue to peer full";
  }));
}

TEST(remote, a_remote_serves_one_engine_stops_idempotently_and_closes_its_port) {
  auto r = remote::remote::create(fast_config().with_types(test_types())).value();
  auto e = engine::create(engine_config{}.with_workers(1).with_remote(r)).value();
  EXPECT_EQ(e->address(), r->address());
  auto second = engine::create(engine_config{}.with_workers(1).with_remote(r));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), errc::already_started);
  r->stop();
  r->stop();
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  const auto colon = r->address().rfind(':');
  const auto port = static_cast<std::uint16_t>(std::stoi(r->address().substr(colon + 1)));
  std::error_code ec;
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "the port is closed after stop()";
  // Sends after stop are dead letters, not silent losses.
  EXPECT_EQ(e->try_send(pid(reserved_address(), "x/1"), counter(1)), send_result::unreachable);
}

TEST(remote, a_bad_listen_address_or_configuration_is_refused) {
  EXPECT_EQ(remote::remote::create(remote::remote_config{}.with_listen("nope")).error(),
            errc::invalid_config);
  EXPECT_EQ(remote::remote::create(remote::remote_config{}.with_peer_queue_capacity(0)).error(),
            errc::invalid_config);
  auto taken = remote::remote::create(remote::remote_config{}).value();
  EXPECT_FALSE(remote::remote::create(remote::remote_config{}.with_listen(taken->address())));
}

}  // namespace
