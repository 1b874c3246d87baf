// SPDX-License-Identifier: MIT
#include "remote_impl.hpp"

#include <hollywood/actor/detail/pid_target.hpp>
#include <hollywood/actor/log.hpp>
#include <hollywood/cpu_relax.hpp>

#include "address.hpp"
#include "inbound.hpp"
#include "peer.hpp"
#include "system_codecs.hpp"
#include "tls.hpp"

#include <algorithm>
#include <random>

namespace hollywood::remote::detail {

namespace {

std::atomic<std::uint64_t> remote_serials{1};

/// How often deadlines (unreachable, acknowledgement, hello, linger) are checked.
clock::duration tick_period(const remote_config& c) {
  const auto finest = std::min({c.unreachable_deadline, c.ack_timeout, c.handshake_timeout}) / 10;
  return std::clamp<clock::duration>(finest, std::chrono::milliseconds(1),
                                     std::chrono::milliseconds(100));
}

std::uint64_t random_u64() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

remote_impl::remote_impl(remote_config config)
    : serial_(remote_serials.fetch_add(1, std::memory_order_relaxed)),
      config_(std::move(config)),
      types_(config_.types ? config_.types : std::make_shared<type_registry>()),
      incarnation_(random_u64()),
      session_ids_(random_u64()),
      acceptor_(io_),
      accept_timer_(io_),
      tick_timer_(io_) {
  register_system_codecs(*types_);
}

remote_impl::~remote_impl() {
  stop();
}

expected<void> remote_impl::open() {
  auto where = split_address(config_.listen);
  if (!where) return unexpected(errc::invalid_config);
  if (config_.tls) {
    auto server = make_tls_context(*config_.tls, tls_role::server);
    if (!server) return unexpected(server.error());
    auto client = make_tls_context(*config_.tls, tls_role::client);
    if (!client) return unexpected(client.error());
    server_tls_ = std::move(*server);
    client_tls_ = std::move(*client);
  }
  std::error_code ec;
  const auto ip = asio::ip::make_address(where->host, ec);
  if (ec) {
    actor::write_log(actor::log_level::error,
                     "remote: listen address must be an IP address: " + config_.listen);
    return unexpected(errc::invalid_config);
  }
  const asio::ip::tcp::endpoint ep(ip, where->port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    actor::write_log(actor::log_level::error,
                     "remote: cannot listen on " + config_.listen + ": " + ec.message());
    return unexpected(ec);
  }
  address_ = join_address(where->host, acceptor_.local_endpoint().port());
  return {};
}

// -- lifecycle -------------------------------------------------------------------------------

std::error_code remote_impl::attach(actor::engine& e) {
  std::lock_guard lock(state_mu_);
  if (state_ != state::created) return make_error_code(errc::already_started);
  engine_ = &e;
  work_.emplace(io_.get_executor());
  accept_next();
  start_tick();
  state_ = state::running;
  thread_ = std::thread([this] { run_io(); });
  return {};
}

void remote_impl::run_io() {
  // Poll for a while after the last piece of work before blocking in the kernel: a reply or the
  // next batch usually comes within microseconds, and waking a blocked thread costs tens of them.
  const auto spin = config_.io_spin;
  auto last_work = clock::now();
  for (;;) {
    std::size_t ran = 0;
    try {
      ran = io_.poll();
    } catch (const std::exception& e) {
      // A handler ran out of memory (a huge batch, say): report it and keep serving; the
      // connection it belonged to is closed by its own error paths or its peer's timeouts.
      actor::write_log(actor::log_level::error,
                       std::string("remote: I/O handler failed: ") + e.what());
      ran = 1;
    }
    if (ran != 0) {
      last_work = clock::now();
      continue;
    }
    if (io_.stopped()) return;
    if (const auto idle = clock::now() - last_work; idle < spin) {
      // As the engine's workers do: pause briefly, then yield the core between polls.
      if (idle < std::chrono::microseconds(2)) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
      continue;
    }
    try {
      if (io_.run_one() == 0) return;  // stopped: no work left
    } catch (const std::exception& e) {
      actor::write_log(actor::log_level::error,
                       std::string("remote: I/O handler failed: ") + e.what());
    }
    last_work = clock::now();
  }
}

void remote_impl::stop() {
  std::lock_guard lock(state_mu_);
  if (state_ == state::stopped) return;
  {
    // New peers are refused from now on; existing queues close, so every later send fails
    // (and becomes a dead letter) while what was queued before still goes out.
    std::unique_lock peers_lock(peers_mu_);
    peers_closed_ = true;
    for (auto& [address, p] : peers_)
      p->close_queue();
  }
  if (state_ == state::running) {
    asio::post(io_, [this] { begin_stop(); });
    thread_.join();
  } else {
    std::error_code ignored;
    acceptor_.close(ignored);
  }
  engine_ = nullptr;
  state_ = state::stopped;
}

void remote_impl::begin_stop() {
  stopping_ = true;
  std::error_code ignored;
  acceptor_.close(ignored);
  linger_until_ = clock::now() + config_.linger;
  // Inbound connections stay open while lingering: the peers' acknowledgements arrive on them.
  if (settled()) finish_stop();
}

std::vector<std::shared_ptr<peer>> remote_impl::all_peers() const {
  // A copy: peers are driven without the lock, because what they do may reach route() (a death
  // notice to a watcher on another engine), which takes it exclusively to add a peer.
  std::shared_lock lock(peers_mu_);
  std::vector<std::shared_ptr<peer>> out;
  out.reserve(peers_.size());
  for (const auto& [address, p] : peers_)
    out.push_back(p);
  return out;
}

bool remote_impl::settled() const {
  for (const auto& p : all_peers()) {
    if (!p->settled()) return false;
  }
  return true;
}

void remote_impl::finish_stop() {
  for (const auto& p : all_peers())
    p->terminate("remote stopped");
  auto open = inbound_;
  for (auto& [ptr, c] : open)
    c->close();
  tick_timer_.cancel();
  accept_timer_.cancel();
  work_.reset();  // run() returns once the cancelled operations have completed
}

// -- the listener and the clock ----------------------------------------------------------------

void remote_impl::accept_next() {
  auto s = std::make_unique<stream>(io_, server_tls_.get());
  auto& socket = s->socket();
  acceptor_.async_accept(socket, [this, s = std::move(s)](std::error_code ec) mutable {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) return;
      // Out of descriptors, say: pause instead of spinning on the same error.
      actor::write_log(actor::log_level::warn, "remote: accept failed: " + ec.message());
      accept_backoff_ = std::clamp<clock::duration>(
          accept_backoff_ * 2, std::chrono::milliseconds(10), std::chrono::seconds(1));
      accept_timer_.expires_after(accept_backoff_);
      accept_timer_.async_wait([this](std::error_code tec) {
        if (!tec && !stopping_) accept_next();
      });
      return;
    }
    accept_backoff_ = clock::duration::zero();
    if (inbound_.size() >= config_.max_inbound_connections) {
      actor::write_log(actor::log_level::warn, "remote: refusing a connection: " +
                                                   std::to_string(config_.max_inbound_connections) +
                                                   " inbound connections are open");
      s->close();
    } else {
      counters_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
      std::error_code ignored;
      s->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
      auto c = std::make_shared<inbound>(*this, std::move(s));
      inbound_.emplace(c.get(), c);
      counters_.inbound_open.store(static_cast<std::int64_t>(inbound_.size()),
                                   std::memory_order_relaxed);
      c->start();
    }
    if (!stopping_) accept_next();
  });
}

void remote_impl::start_tick() {
  tick_timer_.expires_after(tick_period(config_));
  tick_timer_.async_wait([this](std::error_code ec) {
    if (ec) return;
    tick();
  });
}

void remote_impl::tick() {
  const auto now = clock::now();
  for (const auto& p : all_peers())
    p->tick(now);
  auto open = inbound_;
  for (auto& [ptr, c] : open)
    c->check_hello(now, config_.handshake_timeout);
  if (stopping_ && (settled() || now >= linger_until_)) {
    finish_stop();
    return;
  }
  start_tick();
}

void remote_impl::inbound_closed(inbound& c) {
  inbound_.erase(&c);
  counters_.inbound_open.store(static_cast<std::int64_t>(inbound_.size()),
                               std::memory_order_relaxed);
}

// -- peers -------------------------------------------------------------------------------------

std::shared_ptr<peer> remote_impl::find_peer(const std::string* address) const {
  std::shared_lock lock(peers_mu_);
  auto it = peers_.find(address);
  return it != peers_.end() ? it->second : nullptr;
}

std::shared_ptr<peer> remote_impl::peer_for(const std::string* address) {
  if (auto p = find_peer(address)) return p;
  auto where = split_address(*address);
  if (!where) return nullptr;
  std::unique_lock lock(peers_mu_);
  if (peers_closed_) return nullptr;
  auto [it, inserted] = peers_.try_emplace(address, nullptr);
  if (inserted) it->second = std::make_shared<peer>(*this, address, where->host, where->port);
  return it->second;
}

peer* remote_impl::route_peer(const std::string* address) noexcept {
  // Senders usually talk to one peer at a time: remember the last one per thread. Peers live as
  // long as their remote; the serial keeps a new remote from using a dead one's entry.
  struct last_peer {
    std::uint64_t remote = 0;
    const std::string* address = nullptr;
    peer* p = nullptr;
  };
  thread_local last_peer last;
  if (last.remote == serial_ && last.address == address) return last.p;
  try {
    auto p = peer_for(address);
    if (!p) return nullptr;
    last = last_peer{serial_, address, p.get()};
    return p.get();
  } catch (const std::exception&) {
    return nullptr;
  }
}

actor::send_result remote_impl::route(const actor::pid& to, actor::message& m,
                                      const actor::pid& sender) noexcept {
  if (types_->by_type(m.type_id()) == nullptr) return actor::send_result::unknown_type;
  peer* p = route_peer(to.target()->interned_address());
  if (p == nullptr) return actor::send_result::unreachable;
  return p->enqueue(to, m, sender);
}

bool remote_impl::watch(const actor::pid& target, const actor::pid& watcher) noexcept {
  peer* p = route_peer(target.target()->interned_address());
  actor::message m(watch_request{});
  return p != nullptr && p->enqueue(target, m, watcher) == actor::send_result::delivered;
}

void remote_impl::unwatch(const actor::pid& target, const actor::pid& watcher) noexcept {
  // Best effort: if it cannot be sent, the watcher still filters the notice it no longer wants.
  if (peer* p = route_peer(target.target()->interned_address())) {
    actor::message m(unwatch_request{});
    (void)p->enqueue(target, m, watcher);
  }
}

void remote_impl::dead_letter(outbound&& o, actor::dead_letter_reason reason,
                              std::string_view detail) noexcept {
  auto& counter = reason == actor::dead_letter_reason::maybe_delivered
                      ? counters_.dead_letters_maybe_delivered
                      : counters_.dead_letters_undelivered;
  counter.fetch_add(1, std::memory_order_relaxed);
  if (engine_ == nullptr) return;
  try {
    engine_->dead_letter(o.to, std::move(o.msg), o.sender, reason, std::string(detail));
  } catch (const std::exception&) {
    // Out of memory for the detail: the count above still records it.
  }
}

remote_stats remote_impl::stats() const noexcept {
  auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  auto open = [](const std::atomic<std::int64_t>& c) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.load(std::memory_order_relaxed)));
  };
  const remote_counters& c = counters_;
  remote_stats s;
  s.messages_sent = get(c.messages_sent);
  s.messages_received = get(c.messages_received);
  s.batches_sent = get(c.batches_sent);
  s.batches_received = get(c.batches_received);
  s.frames_sent = get(c.frames_sent);
  s.frames_received = get(c.frames_received);
  s.bytes_sent = get(c.bytes_sent);
  s.bytes_received = get(c.bytes_received);
  s.dead_letters_maybe_delivered = get(c.dead_letters_maybe_delivered);
  s.dead_letters = get(c.dead_letters_undelivered) + s.dead_letters_maybe_delivered;
  s.connections_accepted = get(c.connections_accepted);
  s.connects = get(c.connects);
  s.reconnects = get(c.reconnects);
  s.unreachable_events = get(c.unreachable_events);
  s.protocol_errors = get(c.protocol_errors);
  s.outbound_connections = open(c.outbound_open);
  s.inbound_connections = open(c.inbound_open);
  return s;
}

}  // namespace hollywood::remote::detail
