// SPDX-License-Identifier: MIT
#include <hollywood/actor/log.hpp>
#include <hollywood/remote/remote.hpp>

#include "address.hpp"
#include "remote_impl.hpp"

namespace hollywood::remote {

std::string remote_config::problem() const {
  if (!detail::split_address(listen)) return "listen: must be host:port";
  if (peer_queue_capacity == 0) return "peer_queue_capacity: must be at least 1";
  if (unreachable_deadline.count() <= 0) return "unreachable_deadline: must be positive";
  if (reconnect_min.count() <= 0 || reconnect_max < reconnect_min) {
    return "reconnect backoff: need 0 < min <= max";
  }
  if (max_batch_messages == 0) return "max_batch_messages: must be at least 1";
  if (max_frame_bytes < 1024) return "max_frame_bytes: must be at least 1024";
  if (max_batch_bytes == 0 || max_batch_bytes > max_frame_bytes / 2) {
    return "max_batch_bytes: must be positive and at most half of max_frame_bytes";
  }
  if (max_unacked_batches == 0) return "max_unacked_batches: must be at least 1";
  if (ack_timeout.count() <= 0) return "ack_timeout: must be positive";
  if (ack_delay.count() < 0 || ack_delay >= ack_timeout) {
    return "ack_delay: must not be negative, and below ack_timeout";
  }
  if (max_inbound_connections == 0) return "max_inbound_connections: must be at least 1";
  if (max_batch_messages > max_batch_envelopes) {
    return "max_batch_messages: at most " + std::to_string(max_batch_envelopes);
  }
  if (handshake_timeout.count() <= 0) return "handshake_timeout: must be positive";
  if (io_spin.count() < 0) return "io_spin: must not be negative";
  if (linger.count() < 0) return "linger: must not be negative";
  if (tls &&
      (tls->certificate_file.empty() || tls->private_key_file.empty() || tls->ca_file.empty())) {
    return "tls: certificate_file, private_key_file and ca_file are required";
  }
  return {};
}

expected<std::shared_ptr<remote>> remote::create(remote_config config) {
  if (auto problem = config.problem(); !problem.empty()) {
    actor::write_log(actor::log_level::error, "remote configuration rejected: " + problem);
    return unexpected(errc::invalid_config);
  }
  auto impl = std::make_unique<detail::remote_impl>(std::move(config));
  if (auto opened = impl->open(); !opened) return unexpected(opened.error());
  return std::shared_ptr<remote>(new remote(std::move(impl)));
}

remote::remote(std::unique_ptr<detail::remote_impl> impl) noexcept : impl_(std::move(impl)) {}

remote::~remote() = default;

std::string remote::address() const {
  return impl_->address();
}

type_registry& remote::types() const noexcept {
  return impl_->types();
}

void remote::stop() {
  impl_->stop();
}

remote_stats remote::stats() const noexcept {
  return impl_->stats();
}

std::error_code remote::attach(actor::engine& e) {
  return impl_->attach(e);
}

void remote::detach() noexcept {
  impl_->stop();
}

actor::send_result remote::route(const actor::pid& to, actor::message& m,
                                 const actor::pid& sender) noexcept {
  return impl_->route(to, m, sender);
}

}  // namespace hollywood::remote

namespace hollywood::remote {

bool remote::watch(const actor::pid& target, const actor::pid& watcher) noexcept {
  return impl_->watch(target, watcher);
}

void remote::unwatch(const actor::pid& target, const actor::pid& watcher) noexcept {
  impl_->unwatch(target, watcher);
}

}  // namespace hollywood::remote
