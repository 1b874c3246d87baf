// SPDX-License-Identifier: MIT
#include <hollywood/eventbus/kafka/error.hpp>

#include <librdkafka/rdkafka.h>

namespace hollywood::eventbus::kafka {

namespace {

class kafka_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int value) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(value));
  }
};

class bus_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "hollywood.eventbus"; }
  std::string message(int value) const override {
    switch (static_cast<bus_errc>(value)) {
      case bus_errc::malformed_record:
        return "malformed record (on_malformed: fail)";
      case bus_errc::no_handler:
        return "a subscribed topic has no handler";
      case bus_errc::not_running:
        return "the bus is not running";
      case bus_errc::queue_full:
        return "the producer queue is full";
    }
    return "unknown event bus error";
  }
};

}  // namespace

const std::error_category& kafka_category() noexcept {
  static const kafka_category_impl category;
  return category;
}

const std::error_category& bus_category() noexcept {
  static const bus_category_impl category;
  return category;
}

}  // namespace hollywood::eventbus::kafka
