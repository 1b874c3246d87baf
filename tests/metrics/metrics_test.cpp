// SPDX-License-Identifier: MIT
#include <hollywood/metrics.hpp>

#include <gtest/gtest.h>

#include <hollywood_test/http_get.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hollywood::metrics;

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

// One exposer for the whole binary: destroying one that served a request takes ~2 s.
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

  EXPECT_FALSE(exposer::start("no-port", reg));
  auto taken = exposer::start("127.0.0.1:" + std::to_string((*http)->port()), reg);
  EXPECT_FALSE(taken);
}

}  // namespace
