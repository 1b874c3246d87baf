// SPDX-License-Identifier: MIT
#pragma once

/// Produces records to Kafka with delivery reports: an idempotent producer (retries never
/// duplicate or reorder a partition's records) keyed by aggregate ID, so one aggregate's records
/// land in one partition in order.
///
///   auto pub = publisher::create(cluster->bootstrap_servers()).value();
///   auto delivered = pub->publish("orders", "order-17", R"({"aggregateId":"order-17"})").get();
///   if (delivered) use(delivered->partition, delivered->offset);
///
/// Delivery reports run on the publisher's own thread.
/// @threadsafe

#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/eventbus/kafka/record.hpp>
#include <hollywood/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace hollywood::eventbus::kafka {

/// Where a record was stored.
struct delivery_report {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

/// Called once per record with its delivery report or error (librdkafka's code in
/// `kafka_category`, or `bus_errc::queue_full`), on the publisher's delivery thread or, for a
/// record refused at once, on the calling thread.
using delivery_callback = std::function<void(expected<delivery_report>)>;

/// See the file comment. @threadsafe
class publisher {
 public:
  /// Connects to `bootstrap_servers`. `properties` go to librdkafka as is. Errors:
  /// `errc::invalid_config` (with `problem` naming the property).
  static expected<std::unique_ptr<publisher>> create(
      std::string bootstrap_servers, producer_config config = {},
      const std::map<std::string, std::string>& properties = {}, std::string* problem = nullptr);

  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;
  /// Waits up to the producer timeout for outstanding deliveries, then stops.
  ~publisher();

  /// Publishes `payload` to `topic`, keyed by `aggregate_id`; `done` gets the delivery report.
  /// Never blocks: a full local queue reports `bus_errc::queue_full` at once.
  void publish(std::string_view topic, std::string_view aggregate_id, std::string_view payload,
               const headers& hdrs, delivery_callback done);

  /// The same, returning the delivery report as a future (do not wait for it on an engine
  /// worker).
  std::future<expected<delivery_report>> publish(std::string_view topic,
                                                 std::string_view aggregate_id,
                                                 std::string_view payload,
                                                 const headers& hdrs = {});

  /// Produces with an explicit key (absent when `key` is null), e.g. to dead-letter a record
  /// under its original key.
  void produce(std::string_view topic, const std::string* key, std::string_view payload,
               const headers& hdrs, delivery_callback done);

  /// Waits until every record published so far has its delivery report, up to `timeout`.
  /// Errors: `errc::timeout`.
  expected<void> flush(std::chrono::milliseconds timeout);

  /// Records handed to librdkafka whose delivery report has not arrived yet.
  [[nodiscard]] std::size_t outstanding() const noexcept;

 private:
  struct state;
  explicit publisher(std::unique_ptr<state> s) noexcept;
  std::unique_ptr<state> state_;
};

}  // namespace hollywood::eventbus::kafka
