// SPDX-License-Identifier: MIT
#include <hollywood/error.hpp>
#include <hollywood/eventbus/kafka/error.hpp>
#include <hollywood/eventbus/kafka/publisher.hpp>

#include "rdkafka.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>

namespace hollywood::eventbus::kafka {

struct publisher::state {
  detail::kafka_handle rk;
  std::chrono::milliseconds timeout{};
  // relaxed: a gauge for callers and tests; nothing is published through it.
  std::atomic<std::size_t> outstanding{0};
  // release (stop) / acquire (delivery thread): ends the delivery loop.
  std::atomic<bool> stopping{false};
  std::thread delivery;

  void serve() {
    while (!stopping.load(std::memory_order_acquire)) {
      rd_kafka_poll(rk.get(), 100);
    }
  }
};

namespace {

// Per-record opaque: owned by librdkafka from a successful produce until its delivery report.
struct pending_delivery {
  delivery_callback done;
  std::atomic<std::size_t>* outstanding;
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* /*opaque*/) {
  std::unique_ptr<pending_delivery> p(static_cast<pending_delivery*>(msg->_private));
  if (p == nullptr) return;
  p->outstanding->fetch_sub(1, std::memory_order_relaxed);
  if (!p->done) return;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    p->done(unexpected(make_kafka_error(msg->err)));
    return;
  }
  p->done(delivery_report{rd_kafka_topic_name(msg->rkt), msg->partition, msg->offset});
}

}  // namespace

expected<std::unique_ptr<publisher>> publisher::create(
    std::string bootstrap_servers, producer_config config,
    const std::map<std::string, std::string>& properties, std::string* problem) {
  std::string why;
  detail::properties props = properties;
  props["bootstrap.servers"] = std::move(bootstrap_servers);
  props["acks"] = std::to_string(config.required_acks);
  // Idempotence needs acks from all replicas; it keeps retries from duplicating or reordering.
  props["enable.idempotence"] = config.required_acks == -1 ? "true" : "false";
  props["message.timeout.ms"] = std::to_string(config.timeout.count());
  auto conf = detail::make_conf(props, why);
  if (!conf) {
    if (problem != nullptr) *problem = why;
    return unexpected(conf.error());
  }
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &on_delivery);
  auto rk = detail::make_client(RD_KAFKA_PRODUCER, std::move(*conf), why);
  if (!rk) {
    if (problem != nullptr) *problem = why;
    return unexpected(rk.error());
  }
  auto s = std::make_unique<state>();
  s->rk = std::move(*rk);
  s->timeout = config.timeout;
  s->delivery = std::thread([p = s.get()] { p->serve(); });
  return std::unique_ptr<publisher>(new publisher(std::move(s)));
}

publisher::publisher(std::unique_ptr<state> s) noexcept : state_(std::move(s)) {}

publisher::~publisher() {
  (void)flush(state_->timeout);
  state_->stopping.store(true, std::memory_order_release);
  state_->delivery.join();
  // Whatever is still queued gets its report now (purged), so every callback runs exactly once.
  rd_kafka_purge(state_->rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  while (state_->outstanding.load(std::memory_order_relaxed) > 0) {
    rd_kafka_poll(state_->rk.get(), 10);
  }
}

void publisher::produce(std::string_view topic, const std::string* key, std::string_view payload,
                        const headers& hdrs, delivery_callback done) {
  const std::string topic_name(topic);
  detail::headers_handle h;
  if (!hdrs.empty()) {
    h.reset(rd_kafka_headers_new(hdrs.size()));
    for (const auto& x : hdrs) {
      rd_kafka_header_add(h.get(), x.key.data(), static_cast<ssize_t>(x.key.size()), x.value.data(),
                          static_cast<ssize_t>(x.value.size()));
    }
  }
  auto opaque =
      std::make_unique<pending_delivery>(pending_delivery{std::move(done), &state_->outstanding});
  rd_kafka_vu_t vu[6];
  std::size_t n = 0;
  vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[n++].u.cstr = topic_name.c_str();
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = const_cast<char*>(payload.data());  // copied: RD_KAFKA_MSG_F_COPY
  vu[n++].u.mem.size = payload.size();
  if (key != nullptr) {
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n].u.mem.ptr = const_cast<char*>(key->data());
    vu[n++].u.mem.size = key->size();
  }
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = opaque.get();
  if (h) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = h.get();
  }
  state_->outstanding.fetch_add(1, std::memory_order_relaxed);
  detail::error_handle err(rd_kafka_produceva(state_->rk.get(), vu, n));
  if (!err) {
    (void)opaque.release();  // librdkafka owns it until the delivery report
    (void)h.release();       // and the headers
    return;
  }
  state_->outstanding.fetch_sub(1, std::memory_order_relaxed);
  const auto code = rd_kafka_error_code(err.get());
  if (!opaque->done) return;
  if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    opaque->done(unexpected(bus_errc::queue_full));
  } else {
    opaque->done(unexpected(make_kafka_error(code)));
  }
}

void publisher::publish(std::string_view topic, std::string_view aggregate_id,
                        std::string_view payload, const headers& hdrs, delivery_callback done) {
  const std::string key(aggregate_id);
  produce(topic, &key, payload, hdrs, std::move(done));
}

std::future<expected<delivery_report>> publisher::publish(std::string_view topic,
                                                          std::string_view aggregate_id,
                                                          std::string_view payload,
                                                          const headers& hdrs) {
  auto promise = std::make_shared<std::promise<expected<delivery_report>>>();
  auto future = promise->get_future();
  publish(topic, aggregate_id, payload, hdrs,
          [promise](expected<delivery_report> r) { promise->set_value(std::move(r)); });
  return future;
}

expected<void> publisher::flush(std::chrono::milliseconds timeout) {
  if (rd_kafka_flush(state_->rk.get(), static_cast<int>(timeout.count())) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected(errc::timeout);
  }
  return {};
}

std::size_t publisher::outstanding() const noexcept {
  return state_->outstanding.load(std::memory_order_relaxed);
}

}  // namespace hollywood::eventbus::kafka
