// SPDX-License-Identifier: MIT
#pragma once

/// Errors of the Kafka event bus. Two categories: librdkafka's own codes (`kafka_category`, the
/// values of `rd_kafka_resp_err_t`, so nothing of librdkafka's detail is lost), and the bus's
/// conditions (`bus_errc`). Generic conditions (bad configuration, already started) use
/// `hollywood::errc`.

#include <string>
#include <system_error>

namespace hollywood::eventbus::kafka {

/// Conditions the bus itself reports.
enum class bus_errc {
  /// A record's envelope could not be parsed and the policy is `on_malformed: fail`.
  malformed_record = 1,
  /// A subscribed topic has no handler.
  no_handler,
  /// The bus is not running (not started yet, or stopped).
  not_running,
  /// The producer's local queue is full; the record was not accepted.
  queue_full,
};

/// The category of librdkafka's error codes ("kafka"); messages come from `rd_kafka_err2str`.
const std::error_category& kafka_category() noexcept;

/// The category of `bus_errc` ("hollywood.eventbus").
const std::error_category& bus_category() noexcept;

/// Makes an error code from a librdkafka `rd_kafka_resp_err_t` value.
inline std::error_code make_kafka_error(int rd_kafka_resp_err) noexcept {
  return {rd_kafka_resp_err, kafka_category()};
}

inline std::error_code make_error_code(bus_errc e) noexcept {
  return {static_cast<int>(e), bus_category()};
}

}  // namespace hollywood::eventbus::kafka

template <>
struct std::is_error_code_enum<hollywood::eventbus::kafka::bus_errc> : std::true_type {};
