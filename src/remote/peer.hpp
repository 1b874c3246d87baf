// SPDX-License-Identifier: MIT
#pragma once

// One peer engine as seen by the sender: the queue of messages for it, the outbound connection
// this engine dials to it, and the batches sent on that connection and not yet acknowledged.
//
// Senders only push into the queue (lock-free) and, when the writer is idle, post one wake-up to
// the I/O thread; dialing, encoding and writing all happen there, so a sender never blocks.
// Delivery accounting (docs/remote-protocol.md):
// - a batch stays in `unacked_` until the peer acknowledges it; if the connection is lost
//   first, its messages become `maybe_delivered` dead letters;
// - messages still queued when the peer has been unreachable for `unreachable_deadline` become
//   `unreachable` dead letters, with one `remote_unreachable_event`; until a connection succeeds
//   again, sends to the peer fail at once.

#include <hollywood/actor/message.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/send_result.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include "batch.hpp"
#include "remote_impl.hpp"
#include "stream.hpp"

#include <array>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hollywood::remote::detail {

/// `enqueue` and `close_queue` are @threadsafe; everything else runs on the I/O thread.
class peer : public std::enable_shared_from_this<peer> {
 public:
  peer(remote_impl& owner, const std::string* address, std::string host, std::uint16_t port);
  peer(const peer&) = delete;
  peer& operator=(const peer&) = delete;
  ~peer();

  // -- any thread ----------------------------------------------------------------------

  /// Queues `m` (moved from only on `delivered`). `inbox_full`: the queue is at its bound;
  /// `unreachable`: the peer is in a declared outage or the remote stopped.
  actor::send_result enqueue(const actor::pid& to, actor::message& m,
                             const actor::pid& sender) noexcept;

  /// Refuses further messages; those already queued are still sent (remote stopping).
  void close_queue() noexcept { queue_.close(); }

  // -- I/O thread ----------------------------------------------------------------------

  /// On the peer's connection `session` this engine received batches up to `received` and its
  /// actors handled those up to `handled`: acknowledge them.
  void owe_ack(std::uint64_t session, std::uint64_t received, std::uint64_t handled);
  /// The peer received batches up to `received` of our connection `session` and handled those
  /// up to `handled`; handled ones are settled, received ones keep the connection alive.
  void acked(std::uint64_t session, std::uint64_t received, std::uint64_t handled);
  /// The peer engine announced incarnation `n` (in its hello); a change means it restarted.
  void seen_incarnation(std::uint64_t n);
  /// `watcher` got the death notice of `target_id` on this peer: the watch is over.
  void watch_ended(std::string_view target_id, const actor::pid& watcher);
  /// Checks the unreachable deadline and the acknowledgement timeout.
  void tick(clock::time_point now);
  /// Nothing queued and nothing unacknowledged (for the remote's linger).
  [[nodiscard]] bool settled() const noexcept;
  /// Final: closes the connection; queued messages become `unreachable` dead letters and
  /// unacknowledged ones `maybe_delivered`.
  void terminate(std::string_view why);

  [[nodiscard]] const std::string& address() const noexcept { return *address_; }

 private:
  /// One batch on the wire, kept until acknowledged.
  struct sent_batch {
    std::uint64_t seq = 0;
    clock::time_point at;
    std::vector<outbound> messages;
  };
  enum class link : std::uint8_t { idle, connecting, open };
  /// One connection attempt's socket and buffers, shared with its pending handlers so a closed
  /// connection's late completions never touch the next one's.
  struct connection {
    connection(asio::io_context& io, asio::ssl::context* tls) : s(io, tls) {}
    stream s;
    std::string wbuf;
    std::array<char, 64> probe{};
  };

  void wake() noexcept;  // any thread: make sure pump() runs soon
  void pump();
  [[nodiscard]] bool demand() const noexcept;
  /// In a declared outage, a sender asked for a dial and none is under way.
  [[nodiscard]] bool redial_wanted() const noexcept;
  bool write_next();
  void on_written(std::uint64_t generation, std::error_code ec);
  void arm_ack_timer();
  void connect();
  void on_connected(std::uint64_t generation, std::error_code ec);
  void on_handshake(std::uint64_t generation, std::error_code ec);
  void watch_for_close();
  void lose_connection(std::uint64_t generation, const std::string& reason);
  void dial_failed(const std::string& reason);
  void retry_later();
  void declare_outage();
  std::uint64_t dead_letter_queue(actor::dead_letter_reason reason, std::string_view detail);
  std::uint64_t dead_letter_unacked(std::string_view detail);
  /// Handles a message that will not be sent: a dead letter, except for death-watch requests
  /// (a watch not sent is answered with `terminated` at once; an unwatch needs nothing).
  void give_up(outbound&& o, actor::dead_letter_reason reason, std::string_view detail);
  /// Records what a death-watch request sent to the peer changes.
  void note_watch(const outbound& o);
  /// Every watch on this peer ends with `terminated` (reason `unreachable`).
  void end_watches(std::string_view why);
  std::vector<outbound> take_vector();
  void recycle(std::vector<outbound>&& v);

  remote_impl& owner_;
  const std::string* const address_;
  const std::string host_;
  const std::uint16_t port_;

  // Shared with senders.
  ringbuffer::mpsc_queue<outbound> queue_;
  std::atomic<std::size_t> queued_{0};
  // True while pump() is posted or will run again on its own (a write, a dial or a retry is
  // pending); senders post a wake-up only when they flip it from false.
  std::atomic<bool> scheduled_{false};
  // A declared outage: senders fail fast (release by the I/O thread, acquire by senders).
  std::atomic<bool> unreachable_{false};
  // A sender met the outage since the last dial: keep dialing.
  std::atomic<bool> wanted_{false};

  // I/O thread only.
  link link_ = link::idle;
  bool connected_before_ = false;  // a connection to this peer was established once (reconnects)
  std::uint64_t generation_ = 0;   // of the current connection; stale handlers compare it
  std::shared_ptr<connection> conn_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer retry_timer_;
  asio::steady_timer ack_timer_;
  bool ack_timer_armed_ = false;
  bool ack_due_ = false;  // an owed acknowledgement waited long enough to go alone
  bool retry_pending_ = false;
  std::chrono::milliseconds backoff_{0};
  std::optional<clock::time_point> outage_since_;
  bool declared_ = false;
  bool proven_ = false;  // the peer acknowledged something on this connection
  bool writing_ = false;
  bool hello_sent_ = false;
  std::uint64_t session_ = 0;
  std::uint64_t next_seq_ = 1;
  std::deque<sent_batch> unacked_;
  std::vector<std::vector<outbound>> spare_;  // message vectors of acknowledged batches
  batch_builder builder_;
  std::optional<outbound> carry_;  // taken from the queue, did not fit the last batch
  bool terminated_ = false;
  // Death watches sent to this peer: watched actor's ID -> local watchers. Re-sent on every new
  // connection, ended by the peer's notices or by an outage.
  std::unordered_map<std::string, std::vector<actor::pid>> watches_;
  std::uint64_t incarnation_ = 0;
  bool ack_owed_ = false;
  std::uint64_t ack_session_ = 0;
  std::uint64_t ack_received_ = 0;
  std::uint64_t ack_handled_ = 0;
  std::uint64_t received_through_ = 0;  // of our current connection, per the peer
};

}  // namespace hollywood::remote::detail
