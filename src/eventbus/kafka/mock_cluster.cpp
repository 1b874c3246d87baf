// SPDX-License-Identifier: MIT
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/eventbus/kafka/mock_cluster.hpp>

#include "rdkafka.hpp"

// rdkafka_mock.h refuses to compile unless rdkafka.h came first.
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace hollywood::eventbus::kafka {

struct mock_cluster::state {
  // The cluster lives in the handle's threads; the handle is a producer that never produces.
  detail::kafka_handle handle;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  std::string bootstraps;
  std::size_t brokers = 0;

  ~state() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
  }
};

namespace {

expected<void> check(rd_kafka_resp_err_t err) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return unexpected(make_kafka_error(err));
  return {};
}

}  // namespace

expected<std::unique_ptr<mock_cluster>> mock_cluster::create(std::size_t brokers) {
  if (brokers == 0 || brokers > 16) return unexpected(errc::invalid_argument);
  std::string problem;
  // No bootstrap servers on purpose: librdkafka's notice about it is noise here.
  auto conf = detail::make_conf({{"log_level", "4"}}, problem);
  if (!conf) return unexpected(conf.error());
  auto handle = detail::make_client(RD_KAFKA_PRODUCER, std::move(*conf), problem);
  if (!handle) return unexpected(handle.error());
  auto s = std::make_unique<state>();
  s->handle = std::move(*handle);
  s->cluster = rd_kafka_mock_cluster_new(s->handle.get(), static_cast<int>(brokers));
  if (s->cluster == nullptr) return unexpected(make_kafka_error(RD_KAFKA_RESP_ERR__FAIL));
  s->bootstraps = rd_kafka_mock_cluster_bootstraps(s->cluster);
  s->brokers = brokers;
  return std::unique_ptr<mock_cluster>(new mock_cluster(std::move(s)));
}

mock_cluster::mock_cluster(std::unique_ptr<state> s) noexcept : state_(std::move(s)) {}

mock_cluster::~mock_cluster() = default;

const std::string& mock_cluster::bootstrap_servers() const noexcept {
  return state_->bootstraps;
}

std::size_t mock_cluster::brokers() const noexcept {
  return state_->brokers;
}

expected<void> mock_cluster::create_topic(std::string_view topic, int partitions) {
  if (topic.empty() || partitions <= 0) return unexpected(errc::invalid_argument);
  const std::string name(topic);
  return check(rd_kafka_mock_topic_create(state_->cluster, name.c_str(), partitions, 1));
}

expected<void> mock_cluster::set_broker_down(std::int32_t id) {
  return check(rd_kafka_mock_broker_set_down(state_->cluster, id));
}

expected<void> mock_cluster::set_broker_up(std::int32_t id) {
  return check(rd_kafka_mock_broker_set_up(state_->cluster, id));
}

expected<void> mock_cluster::set_all_down() {
  for (std::size_t id = 1; id <= state_->brokers; ++id) {
    if (auto r = set_broker_down(static_cast<std::int32_t>(id)); !r) return r;
  }
  return {};
}

expected<void> mock_cluster::set_all_up() {
  for (std::size_t id = 1; id <= state_->brokers; ++id) {
    if (auto r = set_broker_up(static_cast<std::int32_t>(id)); !r) return r;
  }
  return {};
}

expected<void> mock_cluster::set_topic_error(std::string_view topic, int rd_kafka_resp_err) {
  const std::string name(topic);
  rd_kafka_mock_topic_set_error(state_->cluster, name.c_str(),
                                static_cast<rd_kafka_resp_err_t>(rd_kafka_resp_err));
  return {};
}

expected<void> mock_cluster::set_broker_rtt(std::int32_t id, std::chrono::milliseconds rtt) {
  return check(rd_kafka_mock_broker_set_rtt(state_->cluster, id, static_cast<int>(rtt.count())));
}

}  // namespace hollywood::eventbus::kafka
