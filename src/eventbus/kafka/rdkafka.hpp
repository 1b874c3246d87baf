// SPDX-License-Identifier: MIT
#pragma once

// Owning handles for librdkafka's C objects and the one place that builds a configuration, so
// every client (consumer, producer, mock cluster) logs through the library's hook and reports a
// refused property by name.

#include <hollywood/expected.hpp>

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace hollywood::eventbus::kafka::detail {

struct kafka_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept {
    rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_message_t* msg) const noexcept { rd_kafka_message_destroy(msg); }
  void operator()(rd_kafka_headers_t* headers) const noexcept { rd_kafka_headers_destroy(headers); }
  void operator()(rd_kafka_error_t* error) const noexcept { rd_kafka_error_destroy(error); }
  void operator()(rd_kafka_queue_t* queue) const noexcept { rd_kafka_queue_destroy(queue); }
};

using kafka_handle = std::unique_ptr<rd_kafka_t, kafka_deleter>;
using conf_handle = std::unique_ptr<rd_kafka_conf_t, kafka_deleter>;
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, kafka_deleter>;
using message_handle = std::unique_ptr<rd_kafka_message_t, kafka_deleter>;
using headers_handle = std::unique_ptr<rd_kafka_headers_t, kafka_deleter>;
using error_handle = std::unique_ptr<rd_kafka_error_t, kafka_deleter>;
using queue_handle = std::unique_ptr<rd_kafka_queue_t, kafka_deleter>;

using properties = std::map<std::string, std::string>;

/// Builds a configuration from `props` (applied in order) with the library's log callback.
/// A refused property gives `errc::invalid_config` and `problem` names it with librdkafka's
/// reason.
expected<conf_handle> make_conf(const properties& props, std::string& problem);

/// Creates a client of `type` from `conf` (consumed on success). On failure `problem` holds
/// librdkafka's reason.
expected<kafka_handle> make_client(rd_kafka_type_t type, conf_handle conf, std::string& problem);

/// The text of a librdkafka error code.
std::string_view error_text(rd_kafka_resp_err_t err) noexcept;

}  // namespace hollywood::eventbus::kafka::detail
