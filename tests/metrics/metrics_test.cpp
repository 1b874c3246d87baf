// SPDX-License-Identifier: MIT
#include <hollywood/metrics.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <hollywood_test/exposition.hpp>
#include <hollywood_test/http_get.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::metrics;
using hollywood::test::exposition;

TEST(metrics, exposition_lists_every_family_with_its_labels_and_values) {
  registry reg;
  counter sent = reg.add_counter("test_messages_sent_total", "Messages sent", {{"kind", "a"}});
  gauge lag = reg.add_gauge("test_lag", "Records behind", {{"partition", "3"}});
  histogram latency = reg.add_histogram("test_latency_seconds", "Latency", {0.1, 1.0});
  sent.increment();
  sent.increment(2);
  lag.set(42);
  latency.observe(0.05);
  latency.observe(0.5);
  const std::string text = reg.exposition();
  EXPECT_NE(text.find("# TYPE test_messages_sent_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("test_messages_sent_total{kind=\"a\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("test_lag{partition=\"3\"} 42"), std::string::npos) << text;
  EXPECT_NE(text.find("test_latency_seconds_bucket{le=\"0.1\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("test_latency_seconds_bucket{le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("test_latency_seconds_count 2"), std::string::npos) << text;
}

TEST(metrics, adding_a_series_again_returns_the_same_one) {
  registry reg;
  counter a = reg.add_counter("test_total", "help", {{"x", "1"}});
  counter b = reg.add_counter("test_total", "help", {{"x", "1"}});
  counter c = reg.add_counter("test_total", "help", {{"x", "2"}});
  a.increment();
  b.increment();
  EXPECT_EQ(a.value(), 2);
  EXPECT_EQ(c.value(), 0);
}

TEST(metrics, removed_gauges_leave_the_exposition_and_detached_handles_ignore_updates) {
  registry reg;
  gauge g = reg.add_gauge("test_partition_lag", "lag", {{"partition", "7"}});
  g.set(5);
  reg.remove("test_partition_lag", g);
  EXPECT_EQ(reg.exposition().find("partition=\"7\""), std::string::npos);
  counter detached;
  detached.increment();
  EXPECT_EQ(detached.value(), 0);
}

TEST(metrics, counters_add_up_across_threads) {
  registry reg;
  counter n = reg.add_counter("test_concurrent_total", "help");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([n] {
      for (int i = 0; i < 10'000; ++i)
        n.increment();
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(n.value(), 40'000);
}

TEST(metrics, sources_report_at_each_scrape_merged_with_the_registry_until_removed) {
  registry reg;
  counter own = reg.add_counter("test_shared_total", "help", {{"from", "registry"}});
  own.increment(2);
  double level = 1;
  source_handle h = reg.add_source([&](hollywood::actor::metric_sink& out) {
    out.counter("test_shared_total", "help", {{"from", "source"}}, 5);
    out.gauge("test_level", "A gauge computed at scrape time", {}, level);
    out.declare("test_declared_total", "Listed before anything happened",
                hollywood::actor::metric_type::counter);
  });
  level = 7;
  auto m = exposition::parse(reg.exposition());
  ASSERT_TRUE(m) << m.error;
  EXPECT_EQ(m->types.at("test_shared_total"), "counter") << "one family for both";
  EXPECT_EQ(m->value("test_shared_total", {{"from", "registry"}}), 2);
  EXPECT_EQ(m->value("test_shared_total", {{"from", "source"}}), 5);
  EXPECT_EQ(m->value("test_level"), 7);
  EXPECT_EQ(m->types.count("test_declared_total"), 1u);
  h.reset();
  m = exposition::parse(reg.exposition());
  ASSERT_TRUE(m) << m.error;
  EXPECT_FALSE(m->value("test_shared_total", {{"from", "source"}}));
  EXPECT_FALSE(m->value("test_level"));
}

TEST(metrics, a_source_handle_outliving_its_registry_is_harmless) {
  source_handle h;
  {
    registry reg;
    h = reg.add_source([](hollywood::actor::metric_sink&) {});
  }
  h.reset();
  SUCCEED();
}

TEST(metrics, the_exposition_parser_accepts_ours_and_refuses_what_prometheus_would) {
  registry reg;
  reg.add_histogram("test_seconds", "h", {0.5}).observe(0.1);
  reg.add_counter("test_total", "c", {{"path", "a\"b\\c"}}).increment();
  auto ok = exposition::parse(reg.exposition());
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(ok->value("test_seconds_bucket", {{"le", "0.5"}}), 1);
  EXPECT_EQ(ok->value("test_seconds_count"), 1);
  EXPECT_EQ(ok->value("test_total", {{"path", "a\"b\\c"}}), 1);
  for (const char* bad : {
           "# TYPE x counter\nx 1",                     // no final newline
           "x 1\n",                                     // no family declared
           "# TYPE x counter\nx{a=\"1\" 1\n",           // unterminated labels
           "# TYPE x counter\nx one\n",                 // not a number
           "# TYPE 1x counter\n",                       // bad name
           "# TYPE x counter\n# TYPE x counter\n",      // declared twice
           "# TYPE x counter\nx{a=\"1\",a=\"2\"} 1\n",  // a label twice
       }) {
    EXPECT_FALSE(exposition::parse(bad)) << bad;
  }
}

// Destroying an exposer that served a request takes a couple of seconds: one per test.
TEST(metrics, exposer_serves_the_registry_over_http_and_refuses_bad_addresses) {
  auto reg = std::make_shared<registry>();
  counter scraped = reg->add_counter("test_scrape_marker_total", "help");
  scraped.increment(7);
  auto http = exposer::start("127.0.0.1:0", reg);
  ASSERT_TRUE(http) << http.error().message();
  ASSERT_NE((*http)->port(), 0);
  EXPECT_EQ((*http)->address(), "127.0.0.1:" + std::to_string((*http)->port()));
  auto r = hollywood::test::http_get((*http)->port(), "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("test_scrape_marker_total 7"), std::string::npos) << r->body;
  scraped.increment();
  r = hollywood::test::http_get((*http)->port(), "/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("test_scrape_marker_total 8"), std::string::npos) << r->body;

  r = hollywood::test::http_get((*http)->port(), "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "no checks: alive";
  EXPECT_EQ(hollywood::test::http_get((*http)->port(), "/readyz")->status, 200);

  EXPECT_FALSE(exposer::start("no-port", reg));
  auto taken = exposer::start("127.0.0.1:" + std::to_string((*http)->port()), reg);
  EXPECT_FALSE(taken);
}

}  // namespace

namespace {

TEST(metrics, healthz_and_readyz_answer_from_their_checks) {
  std::atomic<bool> alive{true};
  std::atomic<bool> joined{false};
  probes checks;
  checks.health.push_back({"engine", [&] { return alive.load(); }});
  checks.readiness.push_back({"cluster", [&] { return joined.load(); }});
  auto http = exposer::start("127.0.0.1:0", std::make_shared<registry>(), checks);
  ASSERT_TRUE(http) << http.error().message();
  const auto port = (*http)->port();
  auto get = [&](const char* path) { return hollywood::test::http_get(port, path).value(); };
  EXPECT_EQ(get("/healthz").status, 200);
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready: cluster\n");
  joined = true;
  r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  alive = false;
  r = get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "unhealthy: engine\n");
  EXPECT_EQ(get("/readyz").status, 503) << "not ready while unhealthy";
  EXPECT_EQ(get("/nothing-here").status, 404);
}

}  // namespace
