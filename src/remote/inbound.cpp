// SPDX-License-Identifier: MIT
#include "inbound.hpp"

#include <hollywood/actor/detail/pid_target.hpp>
#include <hollywood/actor/log.hpp>

#include "peer.hpp"
#include "system_codecs.hpp"

#include <limits>

namespace hollywood::remote::detail {

namespace {

/// Read size per system call; a batch frame usually arrives in a few.
constexpr std::size_t read_chunk = 64 << 10;
/// Longest engine address a hello may announce.
constexpr std::size_t max_address = 255;

bool parse(google::protobuf::MessageLite& m, std::string_view bytes) {
  return bytes.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()) &&
         m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

inbound::inbound(remote_impl& owner, std::unique_ptr<stream> s)
    : owner_(owner),
      stream_(std::move(s)),
      decoder_(owner.config().max_frame_bytes),
      buffer_(read_chunk),
      settle_timer_(owner.io()) {
  std::error_code ec;
  const auto ep = stream_->socket().remote_endpoint(ec);
  endpoint_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void inbound::start() {
  stream_->async_handshake(asio::ssl::stream_base::server,
                           [self = shared_from_this()](std::error_code ec) {
                             if (self->closed_) return;
                             if (ec) {
                               self->fail(ec, "TLS handshake failed: " + ec.message());
                               return;
                             }
                             self->read_more();
                           });
}

void inbound::read_more() {
  stream_->async_read_some(
      asio::buffer(buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
        if (self->closed_) return;
        if (ec) {
          if (self->decoder_.buffered() != 0) {
            self->fail(make_error_code(errc::protocol_error),
                       "connection closed inside a frame (" + ec.message() + ")");
            return;
          }
          // The peer hung up (or its process died): the sender accounts for what it sent.
          self->finish();
          return;
        }
        self->owner_.counters().bytes_received.fetch_add(n, std::memory_order_relaxed);
        auto fed = self->decoder_.feed(std::string_view(self->buffer_.data(), n),
                                       [&](const frame& f) { return self->on_frame(f); });
        if (!fed) {
          // Frame-level violations have no detail of their own; decoding ones left theirs.
          std::string why =
              self->detail_.empty() ? "frame: " + fed.error().message() : std::move(self->detail_);
          self->fail(fed.error(), why);
          return;
        }
        self->read_more();
      });
}

expected<void> inbound::on_frame(const frame& f) {
  owner_.counters().frames_received.fetch_add(1, std::memory_order_relaxed);
  if (!hello_ && f.kind != frame_kind::hello) {
    return refuse(errc::protocol_error, "a frame before the hello");
  }
  switch (f.kind) {
    case frame_kind::hello:
      return on_hello(f.payload);
    case frame_kind::batch:
      return on_batch(f.payload);
    case frame_kind::ack:
      return on_ack(f.payload);
  }
  return unexpected(errc::protocol_error);
}

expected<void> inbound::on_hello(std::string_view payload) {
  wire::Hello h;
  if (hello_) return refuse(errc::protocol_error, "a second hello");
  if (!parse(h, payload)) return refuse(errc::protocol_error, "malformed hello");
  if (h.address().empty() || h.address().size() > max_address || h.session() == 0) {
    return refuse(errc::protocol_error, "hello without a valid address and session");
  }
  hello_ = true;
  address_ = h.address();
  interned_ = actor::detail::intern(address_);
  session_ = h.session();
  if (auto p = owner_.find_peer(interned_)) p->seen_incarnation(h.incarnation());
  // Acknowledge the hello itself: the caller learns its connection was accepted (a TLS 1.3
  // server may refuse a client certificate only after the handshake).
  if (auto p = owner_.peer_for(interned_)) p->owe_ack(session_, 0, 0);
  return {};
}

expected<void> inbound::on_batch(std::string_view payload) {
  // Count the tables before parsing: a frame of tiny envelopes must not become gigabytes of
  // parsed objects.
  if (!check_batch_shape(payload)) {
    return refuse(errc::protocol_error, "malformed batch, or one beyond the receiver's limits");
  }
  if (!parse(batch_, payload)) return refuse(errc::protocol_error, "malformed batch");
  if (batch_.seq() != last_seq_ + 1) {
    return refuse(errc::protocol_error, "batch " + std::to_string(batch_.seq()) + " after batch " +
                                            std::to_string(last_seq_));
  }
  actor::engine& e = owner_.engine();
  const std::string& self = owner_.address();
  // Local targets are looked up once per batch (the PID table), not once per message.
  auto bound = decode_batch(batch_, owner_.types(), messages_,
                            [&](std::string_view address, std::string_view id) {
                              if (address == self) {
                                if (actor::pid p = e.lookup(id)) return p;
                              }
                              return actor::pid(address, id);
                            });
  if (!bound) {
    return refuse(static_cast<errc>(bound.error().value()),
                  "batch " + std::to_string(batch_.seq()) + ": " + bound.error().message());
  }
  last_seq_ = batch_.seq();
  const std::uint64_t ack_session = batch_.ack_session();
  const std::uint64_t acked_received = batch_.ack();
  const std::uint64_t acked_handled = batch_.handled();
  std::shared_ptr<peer> from = owner_.find_peer(interned_);
  for (incoming& in : messages_) {
    const bool control = in.msg.is<watch_request>() || in.msg.is<unwatch_request>();
    if (control && (in.target.address() != self || !in.sender)) {
      continue;  // watches are for our own actors, on behalf of someone: anything else is noise
    }
    if (in.msg.is<watch_request>()) {
      e.watch(in.target, in.sender);
    } else if (in.msg.is<unwatch_request>()) {
      e.unwatch(in.target, in.sender);
    } else {
      if (auto* t = in.msg.get_if<actor::terminated>(); t != nullptr && from) {
        from->watch_ended(t->actor.id(), in.target);
      }
      e.send_message(in.target, std::move(in.msg), in.sender);
    }
  }
  owner_.counters().batches_received.fetch_add(1, std::memory_order_relaxed);
  owner_.counters().messages_received.fetch_add(messages_.size(), std::memory_order_relaxed);
  // The batch counts as handled once every local actor it reached has taken it out of its
  // inbox: only then may the sender forget it (a crash before that leaves it in doubt there).
  pending_batch pb{last_seq_, {}};
  for (const incoming& in : messages_) {
    const actor::pid& t = in.target;
    if (t.target() == nullptr || e.inbox_mark(t) == 0) continue;
    bool known = false;
    for (const auto& [p, mark] : pb.marks)
      known = known || p.target() == t.target();
    if (!known) pb.marks.emplace_back(t, 0);
  }
  for (auto& [p, mark] : pb.marks)
    mark = e.inbox_mark(p);  // after every message of the batch was queued
  messages_.clear();
  if (batch_.envelopes_size() > static_cast<int>(default_max_batch_messages)) {
    // An unusually large batch: do not keep its memory for the life of the connection.
    wire::Batch().Swap(&batch_);
    std::vector<incoming>().swap(messages_);
  }
  pending_.push_back(std::move(pb));
  settle();
  if (auto p = owner_.peer_for(interned_)) p->owe_ack(session_, last_seq_, handled_seq_);
  if (ack_session != 0 && from) from->acked(ack_session, acked_received, acked_handled);
  return {};
}

void inbound::settle() {
  actor::engine& e = owner_.engine();
  while (!pending_.empty()) {
    auto& front = pending_.front();
    bool passed = true;
    for (const auto& [p, mark] : front.marks)
      passed = passed && e.inbox_passed(p, mark);
    if (!passed) break;
    handled_seq_ = front.seq;
    pending_.pop_front();
  }
  if (!pending_.empty()) arm_settle_timer();
}

void inbound::arm_settle_timer() {
  if (settle_armed_ || closed_) return;
  settle_armed_ = true;
  // Poll quickly while the actors keep up, back off while they lag (their backlog will take a
  // while anyway); new batches settle on arrival regardless.
  settle_delay_ = settle_delay_.count() == 0
                      ? std::chrono::microseconds(50)
                      : std::min(settle_delay_ * 2, std::chrono::microseconds(10'000));
  settle_timer_.expires_after(settle_delay_);
  settle_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    self->settle_armed_ = false;
    if (ec || self->closed_) return;
    const std::uint64_t before = self->handled_seq_;
    self->settle();
    if (self->handled_seq_ != before) {
      self->settle_delay_ = std::chrono::microseconds(0);
      if (auto p = self->owner_.peer_for(self->interned_)) {
        p->owe_ack(self->session_, self->last_seq_, self->handled_seq_);
      }
    }
  });
}

expected<void> inbound::on_ack(std::string_view payload) {
  wire::Ack a;
  if (!parse(a, payload)) return refuse(errc::protocol_error, "malformed acknowledgement");
  if (auto p = owner_.find_peer(interned_)) p->acked(a.session(), a.ack(), a.handled());
  return {};
}

expected<void> inbound::refuse(errc e, std::string why) {
  detail_ = std::move(why);
  return unexpected(e);
}

void inbound::check_hello(clock::time_point now, clock::time_point::duration limit) {
  if (!hello_ && !closed_ && now - opened_ > limit) {
    fail(make_error_code(errc::protocol_error), "no handshake and hello in time");
  }
}

void inbound::fail(std::error_code ec, const std::string& why) {
  if (closed_) return;
  owner_.counters().protocol_errors.fetch_add(1, std::memory_order_relaxed);
  actor::write_log(actor::log_level::warn, "remote: closing inbound connection from " + endpoint_ +
                                               (address_.empty() ? "" : " (" + address_ + ")") +
                                               ": " + why);
  owner_.publish(remote_protocol_error_event{endpoint_, address_, ec, why});
  finish();
}

void inbound::close() {
  finish();
}

void inbound::finish() {
  if (closed_) return;
  closed_ = true;
  settle_timer_.cancel();
  stream_->close();
  // Keep this object (and its stream, which pending handlers use) alive until they ran.
  asio::post(owner_.io(), [self = shared_from_this()] { self->owner_.inbound_closed(*self); });
}

}  // namespace hollywood::remote::detail
