// SPDX-License-Identifier: MIT
#include "peer.hpp"

#include <hollywood/actor/log.hpp>

#include "frame.hpp"
#include "system_codecs.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>

namespace hollywood::remote::detail {

namespace {

using actor::dead_letter_reason;
using actor::send_result;

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

/// Room a frame needs besides its payloads: header, tables, per-envelope fields.
constexpr std::size_t frame_slack = 64 << 10;

}  // namespace

peer::peer(remote_impl& owner, const std::string* address, std::string host, std::uint16_t port)
    : owner_(owner),
      address_(address),
      host_(std::move(host)),
      port_(port),
      resolver_(owner.io()),
      retry_timer_(owner.io()),
      ack_timer_(owner.io()),
      builder_(owner.types(), owner.config().max_frame_bytes > frame_slack
                                  ? owner.config().max_frame_bytes - frame_slack
                                  : owner.config().max_frame_bytes / 2) {}

peer::~peer() = default;

// -- senders -------------------------------------------------------------------------------

send_result peer::enqueue(const actor::pid& to, actor::message& m,
                          const actor::pid& sender) noexcept {
  // Acquire: partner of the release store in declare_outage(); a stale `false` is harmless
  // (the message is queued and the I/O thread dead-letters it).
  if (unreachable_.load(std::memory_order_acquire)) [[unlikely]] {
    if (!wanted_.load(std::memory_order_relaxed)) {
      wanted_.store(true, std::memory_order_seq_cst);  // before wake() reads scheduled_
      wake();
    }
    return send_result::unreachable;
  }
  // Relaxed: the bound only needs an approximate count; the queue orders the messages.
  if (queued_.fetch_add(1, std::memory_order_relaxed) >= owner_.config().peer_queue_capacity) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return send_result::inbox_full;
  }
  ringbuffer::push_result r = ringbuffer::push_result::closed;
  try {
    r = queue_.try_emplace(to, sender, std::move(m));
  } catch (const std::bad_alloc&) {
    r = ringbuffer::push_result::closed;  // m untouched: construction never started
  }
  if (r != ringbuffer::push_result::ok) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return send_result::unreachable;
  }
  wake();
  return send_result::delivered;
}

void peer::wake() noexcept {
  // seq_cst load after the queue's seq_cst push: the sender's half of the Dekker pair with the
  // idle path of pump() (store false, then check the queue).
  if (scheduled_.load(std::memory_order_seq_cst)) return;
  if (scheduled_.exchange(true, std::memory_order_acq_rel)) return;
  try {
    asio::post(owner_.io(), [self = shared_from_this()] { self->pump(); });
  } catch (const std::exception& e) {
    scheduled_.store(false, std::memory_order_seq_cst);  // the next sender tries again
    actor::write_log(actor::log_level::error,
                     "remote: cannot wake the writer for " + *address_ + ": " + e.what());
  }
}

// -- the writer ------------------------------------------------------------------------------

bool peer::demand() const noexcept {
  // Watches count: a watched peer that went down must be redialed to find out it is gone.
  return !queue_.empty() || carry_ || ack_owed_ || !watches_.empty();
}

bool peer::redial_wanted() const noexcept {
  // seq_cst: read after the idle path's store to scheduled_, like the queue check (a sender
  // stores wanted_ before it looks at scheduled_).
  return declared_ && wanted_.load(std::memory_order_seq_cst) && link_ == link::idle &&
         !retry_pending_ && !terminated_;
}

void peer::pump() {
  for (int round = 0;; ++round) {
    if (terminated_) {
      dead_letter_queue(dead_letter_reason::unreachable, "remote stopped");
    } else if (declared_) {
      dead_letter_queue(dead_letter_reason::unreachable, "peer unreachable");
      // A sender met the outage: dial again, paced by the backoff (senders keep failing fast
      // until a dial succeeds).
      if (redial_wanted()) retry_later();
    } else if (link_ == link::open) {
      if (writing_ || write_next()) return;  // the write's completion (or an ack) pumps again
    } else if (demand()) {
      if (link_ == link::idle && !retry_pending_) connect();
      return;  // the connection, or the retry timer, pumps again
    }
    // Idle. seq_cst store, then the queue's seq_cst emptiness check: the I/O thread's half of
    // the Dekker pair with wake(), so a message pushed meanwhile is never stranded.
    scheduled_.store(false, std::memory_order_seq_cst);
    if (queue_.empty() && !carry_ && !redial_wanted()) return;
    if (scheduled_.exchange(true, std::memory_order_acq_rel)) return;  // a wake-up is posted
    if (round >= 8) {
      // A sender reserved a slot but has not filled it yet (preempted): let other handlers run
      // rather than spin here.
      asio::post(owner_.io(), [self = shared_from_this()] { self->pump(); });
      return;
    }
  }
}

bool peer::write_next() {
  const remote_config& cfg = owner_.config();
  const std::size_t frame_budget = cfg.max_frame_bytes - frame_slack / 2;
  const bool window_open = unacked_.size() < cfg.max_unacked_batches;
  if (!window_open && !ack_owed_) return !queue_.empty() || carry_;  // wait for acknowledgements
  std::string& out = conn_->wbuf;
  out.clear();
  if (!hello_sent_) {
    wire::Hello hello;
    hello.set_address(owner_.address());
    hello.set_incarnation(owner_.incarnation());
    hello.set_session(session_);
    append_frame(out, frame_kind::hello, hello);
    owner_.counters().frames_sent.fetch_add(1, std::memory_order_relaxed);
    hello_sent_ = true;
  }
  std::vector<outbound> batch;
  if (window_open) {
    batch = take_vector();
    if (next_seq_ == 1) {
      // A new connection: the peer may have lost (or never got) earlier watch requests.
      for (const auto& [id, watchers] : watches_) {
        const actor::pid target(*address_, id);
        for (const auto& w : watchers) {
          batch.emplace_back(target, w, actor::message(watch_request{}));
          if (!builder_.add(target, w, batch.back().msg)) batch.pop_back();
        }
      }
    }
    std::size_t taken = 0;
    if (carry_) {
      // Left over from the previous batch, which it did not fit: it goes first (and alone fits).
      auto added = builder_.add(carry_->to, carry_->sender, carry_->msg);
      if (added) {
        note_watch(*carry_);
        batch.push_back(std::move(*carry_));
      } else {
        give_up(std::move(*carry_), dead_letter_reason::unreachable, "encoding failed");
      }
      carry_.reset();
    }
    const std::size_t room =
        batch.size() < cfg.max_batch_messages ? cfg.max_batch_messages - batch.size() : 0;
    queue_.consume(room, [&](outbound& o) noexcept {
      ++taken;
      std::error_code refused;
      const std::size_t before = batch.size();
      try {
        batch.push_back(std::move(o));  // first, so a failure to grow leaves `o` intact
        const outbound& kept = batch.back();
        auto added = builder_.add(kept.to, kept.sender, kept.msg);
        if (added && builder_.size() > 1 && builder_.encoded_bound() > frame_budget) {
          // It fits a frame alone, not in this one: it starts the next batch.
          builder_.drop_last();
          carry_.emplace(std::move(batch.back()));
          batch.pop_back();
          return false;
        }
        if (added) {
          note_watch(kept);
          return builder_.payload_bytes() < cfg.max_batch_bytes;
        }
        refused = added.error();
      } catch (const std::exception&) {
        refused = make_error_code(errc::invalid_argument);  // out of memory while encoding
      }
      if (batch.size() > before) {
        o = std::move(batch.back());
        batch.pop_back();
      }
      const bool unknown = refused == errc::unknown_type;
      owner_.dead_letter(
          std::move(o),
          unknown ? dead_letter_reason::unknown_type : dead_letter_reason::unreachable,
          unknown                            ? "no codec registered for the type"
          : refused == errc::frame_too_large ? "message larger than a frame"
                                             : "the codec could not encode it");
      return true;
    });
    queued_.fetch_sub(taken, std::memory_order_relaxed);
  }
  if (!batch.empty()) {
    const std::uint64_t seq = next_seq_++;
    const wire::Batch& w = ack_owed_
                               ? builder_.stamp(seq, ack_session_, ack_received_, ack_handled_)
                               : builder_.stamp(seq, 0, 0, 0);
    append_frame(out, frame_kind::batch, w);
    owner_.counters().frames_sent.fetch_add(1, std::memory_order_relaxed);
    builder_.reset();
    ack_owed_ = false;
    ack_due_ = false;
    owner_.counters().batches_sent.fetch_add(1, std::memory_order_relaxed);
    owner_.counters().messages_sent.fetch_add(batch.size(), std::memory_order_relaxed);
    unacked_.push_back(sent_batch{seq, clock::now(), std::move(batch)});
  } else {
    recycle(std::move(batch));
    if (ack_owed_ && !ack_due_) {
      // Alone, an acknowledgement waits a little for a batch to ride on (one usually follows:
      // an answer, the next request), so a request/response costs no extra frames.
      arm_ack_timer();
    } else if (ack_owed_) {
      wire::Ack ack;
      ack.set_session(ack_session_);
      ack.set_ack(ack_received_);
      ack.set_handled(ack_handled_);
      append_frame(out, frame_kind::ack, ack);
      owner_.counters().frames_sent.fetch_add(1, std::memory_order_relaxed);
      ack_owed_ = false;
      ack_due_ = false;
    }
  }
  // Nothing to write: busy only if messages wait for the window to reopen.
  if (out.empty()) return !window_open && (!queue_.empty() || carry_);
  writing_ = true;
  owner_.counters().bytes_sent.fetch_add(out.size(), std::memory_order_relaxed);
  conn_->s.async_write(asio::buffer(out),
                       [self = shared_from_this(), c = conn_, g = generation_](
                           std::error_code ec, std::size_t) { self->on_written(g, ec); });
  return true;
}

void peer::arm_ack_timer() {
  if (ack_timer_armed_) return;
  ack_timer_armed_ = true;
  ack_timer_.expires_after(owner_.config().ack_delay);
  ack_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    self->ack_timer_armed_ = false;
    if (ec || self->terminated_) return;
    self->ack_due_ = true;
    self->pump();
  });
}

void peer::on_written(std::uint64_t generation, std::error_code ec) {
  if (generation != generation_) return;  // a connection already given up
  writing_ = false;
  if (ec) {
    lose_connection(generation, "write failed: " + ec.message());
    return;
  }
  pump();
}

// -- acknowledgements ------------------------------------------------------------------------

void peer::owe_ack(std::uint64_t session, std::uint64_t received, std::uint64_t handled) {
  ack_session_ = session;
  ack_received_ = received;
  ack_handled_ = handled;
  ack_owed_ = true;
  if (declared_) wanted_.store(true, std::memory_order_relaxed);  // it reached us: try it
  pump();  // on the I/O thread already; a writer parked on a full window must still send it
}

void peer::acked(std::uint64_t session, std::uint64_t received, std::uint64_t handled) {
  if (link_ != link::open || session != session_) return;   // about a connection given up
  if (received >= next_seq_ || handled > received) return;  // about batches never sent: bogus
  received_through_ = std::max(received_through_, received);
  if (!proven_) {
    // The peer accepted this connection (a handshake alone does not show it: a TLS 1.3 server
    // may still reject the client's certificate): the outage, if any, is over.
    proven_ = true;
    backoff_ = std::chrono::milliseconds{0};
    outage_since_.reset();
  }
  bool freed = false;
  while (!unacked_.empty() && unacked_.front().seq <= handled) {
    recycle(std::move(unacked_.front().messages));
    unacked_.pop_front();
    freed = true;
  }
  if (freed) pump();
}

// -- connecting --------------------------------------------------------------------------------

void peer::connect() {
  link_ = link::connecting;
  ++generation_;
  conn_ = std::make_shared<connection>(owner_.io(), owner_.client_tls());
  conn_->s.verify_host(host_);
  auto on_connect = [self = shared_from_this(), c = conn_, g = generation_](
                        std::error_code ec, const auto&) { self->on_connected(g, ec); };
  std::error_code bad;
  const auto ip = asio::ip::make_address(host_, bad);
  if (!bad) {
    const std::array<asio::ip::tcp::endpoint, 1> endpoints{asio::ip::tcp::endpoint(ip, port_)};
    asio::async_connect(conn_->s.socket(), endpoints, std::move(on_connect));
    return;
  }
  // A host name: resolve without blocking (Asio resolves on its own thread).
  resolver_.async_resolve(
      host_, std::to_string(port_),
      [self = shared_from_this(), c = conn_, g = generation_, on_connect = std::move(on_connect)](
          std::error_code ec, const asio::ip::tcp::resolver::results_type& results) mutable {
        if (g != self->generation_) return;
        if (ec) {
          self->dial_failed("cannot resolve " + self->host_ + ": " + ec.message());
          return;
        }
        asio::async_connect(c->s.socket(), results, std::move(on_connect));
      });
}

void peer::on_connected(std::uint64_t generation, std::error_code ec) {
  if (generation != generation_) return;
  if (ec) {
    dial_failed(ec.message());
    return;
  }
  std::error_code ignored;
  conn_->s.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  conn_->s.async_handshake(asio::ssl::stream_base::client,
                           [self = shared_from_this(), c = conn_,
                            g = generation](std::error_code hec) { self->on_handshake(g, hec); });
}

void peer::on_handshake(std::uint64_t generation, std::error_code ec) {
  if (generation != generation_) return;
  if (ec) {
    dial_failed("TLS handshake failed: " + ec.message());
    return;
  }
  link_ = link::open;
  proven_ = false;
  auto& counters = owner_.counters();
  counters.connects.fetch_add(1, std::memory_order_relaxed);
  if (connected_before_) counters.reconnects.fetch_add(1, std::memory_order_relaxed);
  connected_before_ = true;
  counters.outbound_open.fetch_add(1, std::memory_order_relaxed);
  session_ = owner_.next_session();
  next_seq_ = 1;
  received_through_ = 0;
  // Acknowledgements are cumulative: repeat the last one, in case it went down with the old
  // connection (or was never sent during an outage).
  if (ack_session_ != 0) ack_owed_ = true;
  hello_sent_ = false;
  if (declared_) {
    // Let senders in again; this connection now has a deadline of its own to prove itself.
    declared_ = false;
    unreachable_.store(false, std::memory_order_release);  // partner: enqueue()
    outage_since_ = clock::now();
  }
  owner_.publish(remote_connected_event{*address_});
  watch_for_close();
  pump();
}

void peer::watch_for_close() {
  // Nothing is ever read on an outbound connection: a completion means the peer closed it, the
  // network failed, or the peer broke the protocol by writing.
  conn_->s.async_read_some(
      asio::buffer(conn_->probe),
      [self = shared_from_this(), c = conn_, g = generation_](std::error_code ec, std::size_t) {
        self->lose_connection(g, ec ? ec.message() : "the peer wrote on a one-way connection");
      });
}

void peer::lose_connection(std::uint64_t generation, const std::string& reason) {
  if (generation != generation_ || link_ != link::open) return;
  owner_.counters().outbound_open.fetch_sub(1, std::memory_order_relaxed);
  ++generation_;  // every pending handler of this connection is now stale
  conn_->s.close();
  conn_.reset();
  link_ = link::idle;
  writing_ = false;
  const std::uint64_t maybe = dead_letter_unacked(
      "connection to " + *address_ + " lost (" + reason + "): the message may have been delivered");
  // A peer that shuts down closes its side; only a loss that leaves messages in doubt warns.
  actor::write_log(maybe != 0 ? actor::log_level::warn : actor::log_level::info,
                   "remote: connection to " + *address_ + " lost: " + reason + " (" +
                       std::to_string(maybe) + " unacknowledged messages)");
  owner_.publish(remote_disconnected_event{*address_, reason, maybe});
  if (!outage_since_) outage_since_ = clock::now();
  if (!proven_) {
    retry_later();  // refused after connecting: back off as for a failed dial
    return;
  }
  pump();  // dials again at once if anything waits
}

void peer::dial_failed(const std::string& reason) {
  link_ = link::idle;
  if (conn_) {
    conn_->s.close();
    conn_.reset();
  }
  ++generation_;
  if (!outage_since_) outage_since_ = clock::now();
  if (actor::log_enabled(actor::log_level::debug)) {
    actor::write_log(actor::log_level::debug,
                     "remote: dialing " + *address_ + " failed: " + reason);
  }
  // In a declared outage, dial again only if a sender has asked since the last attempt;
  // otherwise go dormant (pump() releases the wake-up flag so the next sender can wake us).
  if (declared_ && !wanted_.load(std::memory_order_relaxed)) {
    pump();
    return;
  }
  retry_later();
}

void peer::retry_later() {
  const remote_config& cfg = owner_.config();
  backoff_ = backoff_.count() == 0 ? cfg.reconnect_min : std::min(backoff_ * 2, cfg.reconnect_max);
  retry_pending_ = true;
  retry_timer_.expires_after(backoff_);
  retry_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    self->retry_pending_ = false;
    if (ec || self->terminated_) return;
    if (self->declared_) self->wanted_.store(false, std::memory_order_relaxed);
    if (self->link_ == link::idle && (self->declared_ || self->demand())) {
      self->connect();
    } else {
      self->pump();
    }
  });
}

// -- deadlines ---------------------------------------------------------------------------------

void peer::tick(clock::time_point now) {
  if (terminated_) return;
  const remote_config& cfg = owner_.config();
  if (link_ == link::open) {
    // Only receipt counts here: a peer whose actors are slow to handle is alive, and its slowness
    // already holds the writer back through the window.
    for (const auto& b : unacked_) {
      if (b.seq <= received_through_) continue;
      if (now - b.at > cfg.ack_timeout) {
        lose_connection(generation_, "no acknowledgement within " + ms(cfg.ack_timeout));
        return;
      }
      break;
    }
  }
  if (link_ == link::open || declared_ || !outage_since_) return;
  if (!demand() && !retry_pending_ && link_ == link::idle) {
    outage_since_.reset();  // nothing waits for this peer: no outage to report
    return;
  }
  if (now - *outage_since_ >= cfg.unreachable_deadline) declare_outage();
}

void peer::declare_outage() {
  declared_ = true;
  unreachable_.store(true, std::memory_order_release);  // partner: enqueue()
  const std::uint64_t dropped =
      dead_letter_queue(dead_letter_reason::unreachable,
                        "peer unreachable for " + ms(owner_.config().unreachable_deadline));
  end_watches("its engine is unreachable");
  actor::write_log(actor::log_level::warn, "remote: " + *address_ + " unreachable for " +
                                               ms(owner_.config().unreachable_deadline) + "; " +
                                               std::to_string(dropped) +
                                               " queued messages dropped");
  owner_.counters().unreachable_events.fetch_add(1, std::memory_order_relaxed);
  owner_.publish(remote_unreachable_event{*address_, dropped});
  pump();  // settles the wake-up flag for the fail-fast mode
}

bool peer::settled() const noexcept {
  return queue_.empty() && !carry_ && unacked_.empty() && !writing_ &&
         (!ack_owed_ || link_ != link::open);
}

void peer::terminate(std::string_view why) {
  terminated_ = true;
  watches_.clear();  // the watchers' engine is shutting down
  queue_.close();
  // No slot can be reserved after close(); a sender that reserved one just before is still
  // filling it: give it a moment, so its message is dead-lettered below rather than stranded.
  const auto until = clock::now() + std::chrono::milliseconds(100);
  while (!queue_.empty() && clock::now() < until) {
    dead_letter_queue(dead_letter_reason::unreachable, why);
    std::this_thread::yield();
  }
  retry_timer_.cancel();
  ack_timer_.cancel();
  resolver_.cancel();
  ++generation_;
  if (conn_) {
    conn_->s.close();
    conn_.reset();
  }
  if (link_ == link::open) owner_.counters().outbound_open.fetch_sub(1, std::memory_order_relaxed);
  link_ = link::idle;
  writing_ = false;
  const std::string detail(why);
  dead_letter_unacked(detail + ": the message may have been delivered");
  dead_letter_queue(dead_letter_reason::unreachable, detail);
}

// -- dead letters and buffers ------------------------------------------------------------------

std::uint64_t peer::dead_letter_queue(dead_letter_reason reason, std::string_view detail) {
  std::uint64_t n = 0;
  if (carry_) {
    give_up(std::move(*carry_), reason, detail);
    carry_.reset();
    ++n;
  }
  for (;;) {
    const std::size_t got =
        queue_.consume(1024, [&](outbound& o) noexcept { give_up(std::move(o), reason, detail); });
    if (got == 0) break;
    n += got;
    queued_.fetch_sub(got, std::memory_order_relaxed);
  }
  return n;
}

std::uint64_t peer::dead_letter_unacked(std::string_view detail) {
  std::uint64_t n = 0;
  for (auto& b : unacked_) {
    for (auto& o : b.messages) {
      // Watch requests stay recorded (re-sent on the next connection); unwatches need nothing.
      if (o.msg.is<watch_request>() || o.msg.is<unwatch_request>()) continue;
      owner_.dead_letter(std::move(o), dead_letter_reason::maybe_delivered, detail);
      ++n;
    }
    recycle(std::move(b.messages));
  }
  unacked_.clear();
  return n;
}

void peer::give_up(outbound&& o, dead_letter_reason reason, std::string_view detail) {
  if (o.msg.is<watch_request>()) {
    if (!owner_.attached()) return;
    owner_.engine().send_with_sender(
        o.sender,
        actor::terminated{o.to, actor::termination_reason::unreachable, std::string(detail)}, o.to);
    return;
  }
  if (o.msg.is<unwatch_request>()) return;
  owner_.dead_letter(std::move(o), reason, detail);
}

void peer::note_watch(const outbound& o) {
  if (o.msg.is<watch_request>()) {
    auto& watchers = watches_[std::string(o.to.id())];
    if (std::find(watchers.begin(), watchers.end(), o.sender) == watchers.end()) {
      watchers.push_back(o.sender);
    }
  } else if (o.msg.is<unwatch_request>()) {
    watch_ended(o.to.id(), o.sender);
  }
}

void peer::watch_ended(std::string_view target_id, const actor::pid& watcher) {
  auto it = watches_.find(std::string(target_id));
  if (it == watches_.end()) return;
  std::erase(it->second, watcher);
  if (it->second.empty()) watches_.erase(it);
}

void peer::seen_incarnation(std::uint64_t n) {
  if (incarnation_ != 0 && n != incarnation_) end_watches("its engine restarted");
  incarnation_ = n;
}

void peer::end_watches(std::string_view why) {
  auto ended = std::move(watches_);
  watches_.clear();
  if (!owner_.attached()) return;
  for (auto& [id, watchers] : ended) {
    const actor::pid target(*address_, id);
    for (const auto& w : watchers) {
      owner_.engine().send_with_sender(
          w, actor::terminated{target, actor::termination_reason::unreachable, std::string(why)},
          target);
    }
  }
}

std::vector<outbound> peer::take_vector() {
  if (spare_.empty()) return {};
  std::vector<outbound> v = std::move(spare_.back());
  spare_.pop_back();
  return v;
}

void peer::recycle(std::vector<outbound>&& v) {
  v.clear();
  if (v.capacity() != 0 && spare_.size() < owner_.config().max_unacked_batches) {
    spare_.push_back(std::move(v));
  }
}

}  // namespace hollywood::remote::detail
