// SPDX-License-Identifier: MIT
#pragma once

// The remote's private state: the listener, the I/O thread that runs every connection, the peers
// (one outbound connection each) and the inbound connections.
//
// Threads: `route` runs on any sender's thread and only touches a peer's queue; everything else
// (sockets, batches, acknowledgements, timers, dead letters of queued messages) runs on the one
// I/O thread. `attach`/`stop` are called by the engine (or the user) from outside that thread.

#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/remote/remote.hpp>
#include <hollywood/thread_annotations.hpp>

#include "stream.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace hollywood::remote::detail {

using clock = std::chrono::steady_clock;

/// A message waiting for the wire, or sent and not yet acknowledged.
struct outbound {
  outbound() noexcept = default;
  outbound(const actor::pid& t, const actor::pid& s, actor::message&& m) noexcept
      : to(t), sender(s), msg(std::move(m)) {}

  actor::pid to;
  actor::pid sender;
  actor::message msg;
};

class peer;
class inbound;

/// Counters behind `remote_stats`; relaxed, they are statistics. Written on the I/O thread (per
/// frame or connection event, never per message) except `dead_letters*`.
struct remote_counters {
  std::atomic<std::uint64_t> messages_sent{0};
  std::atomic<std::uint64_t> messages_received{0};
  std::atomic<std::uint64_t> batches_sent{0};
  std::atomic<std::uint64_t> batches_received{0};
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> frames_received{0};
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> bytes_received{0};
  // Disjoint, so each series of the dead-letter metric only ever grows.
  std::atomic<std::uint64_t> dead_letters_undelivered{0};
  std::atomic<std::uint64_t> dead_letters_maybe_delivered{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> unreachable_events{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::int64_t> outbound_open{0};
  std::atomic<std::int64_t> inbound_open{0};
};

/// @threadsafe where noted; the rest is confined to the I/O thread.
class remote_impl {
 public:
  explicit remote_impl(remote_config config);
  remote_impl(const remote_impl&) = delete;
  remote_impl& operator=(const remote_impl&) = delete;
  ~remote_impl();

  /// Loads TLS material and binds the listener. Called once, by `remote::create`.
  expected<void> open();

  // -- any thread ----------------------------------------------------------------------

  [[nodiscard]] const std::string& address() const noexcept { return address_; }
  [[nodiscard]] type_registry& types() const noexcept { return *types_; }
  [[nodiscard]] const remote_config& config() const noexcept { return config_; }
  std::error_code attach(actor::engine& e);
  void stop();
  actor::send_result route(const actor::pid& to, actor::message& m,
                           const actor::pid& sender) noexcept;
  bool watch(const actor::pid& target, const actor::pid& watcher) noexcept;
  void unwatch(const actor::pid& target, const actor::pid& watcher) noexcept;
  [[nodiscard]] remote_stats stats() const noexcept;
  [[nodiscard]] remote_counters& counters() noexcept { return counters_; }

  // -- I/O thread ----------------------------------------------------------------------

  [[nodiscard]] asio::io_context& io() noexcept { return io_; }
  [[nodiscard]] asio::ssl::context* client_tls() noexcept { return client_tls_.get(); }
  [[nodiscard]] actor::engine& engine() const noexcept { return *engine_; }
  /// Whether an engine is attached (it is for as long as the I/O thread runs).
  [[nodiscard]] bool attached() const noexcept { return engine_ != nullptr; }
  [[nodiscard]] std::uint64_t incarnation() const noexcept { return incarnation_; }
  /// A fresh random session ID (never 0): unguessable, so nobody can acknowledge batches of a
  /// connection they did not see.
  [[nodiscard]] std::uint64_t next_session() noexcept {
    std::uint64_t s = 0;
    while (s == 0)
      s = session_ids_();
    return s;
  }
  [[nodiscard]] bool stopping() const noexcept { return stopping_; }

  /// The peer for `address` (interned), made on first use; null while stopping or for an
  /// address that cannot be dialed. @threadsafe
  std::shared_ptr<peer> peer_for(const std::string* address);
  /// The peer for `address` if there is one. @threadsafe
  std::shared_ptr<peer> find_peer(const std::string* address) const;

  /// Publishes a dead letter for `o` on the engine (and counts it).
  void dead_letter(outbound&& o, actor::dead_letter_reason reason,
                   std::string_view detail) noexcept;

  /// Publishes a remote event on the engine's event stream.
  template <class E>
  void publish(E&& event) {
    if (engine_ != nullptr) engine_->broadcast_event(std::forward<E>(event));
  }

  /// An inbound connection closed (cleanly or not); forget it.
  void inbound_closed(inbound& c);

 private:
  enum class state : std::uint8_t { created, running, stopping, stopped };

  void run_io();
  void accept_next();
  void start_tick();
  void tick();
  void begin_stop();
  [[nodiscard]] bool settled() const;
  [[nodiscard]] std::vector<std::shared_ptr<peer>> all_peers() const;
  void finish_stop();
  peer* route_peer(const std::string* address) noexcept;

  const std::uint64_t serial_;  // unique per remote in this process (keys thread-local caches)
  remote_config config_;
  std::shared_ptr<type_registry> types_;
  std::string address_;
  const std::uint64_t incarnation_;
  std::mt19937_64 session_ids_;  // I/O thread only

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_timer_;
  clock::duration accept_backoff_{};
  asio::steady_timer tick_timer_;
  std::unique_ptr<asio::ssl::context> server_tls_;
  std::unique_ptr<asio::ssl::context> client_tls_;
  std::thread thread_;
  actor::engine* engine_ = nullptr;

  std::mutex state_mu_;
  state state_ HOLLYWOOD_GUARDED_BY(state_mu_) = state::created;

  mutable std::shared_mutex peers_mu_;
  std::unordered_map<const std::string*, std::shared_ptr<peer>> peers_
      HOLLYWOOD_GUARDED_BY(peers_mu_);
  bool peers_closed_ HOLLYWOOD_GUARDED_BY(peers_mu_) = false;

  // I/O thread only.
  std::unordered_map<inbound*, std::shared_ptr<inbound>> inbound_;
  bool stopping_ = false;
  clock::time_point linger_until_{};

  remote_counters counters_;
};

}  // namespace hollywood::remote::detail
