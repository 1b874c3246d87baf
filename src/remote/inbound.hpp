// SPDX-License-Identifier: MIT
#pragma once

// A connection another engine dialed to us. It only reads: a hello, then batches (delivered to
// the engine in order, each acknowledged through our own connection to that engine) and
// acknowledgements of our batches. Every byte is hostile until proven otherwise: the first
// violation closes the connection with a logged reason and a `remote_protocol_error_event`.

#include "batch.hpp"
#include "frame.hpp"
#include "remote_impl.hpp"
#include "stream.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::remote::detail {

/// Confined to the I/O thread.
class inbound : public std::enable_shared_from_this<inbound> {
 public:
  inbound(remote_impl& owner, std::unique_ptr<stream> s);

  /// Performs the TLS handshake (if any), then reads until the connection ends.
  void start();
  /// Closes the connection (remote stopping, hello deadline).
  void close();
  /// Closes the connection if the peer has not said hello by `deadline`.
  void check_hello(clock::time_point now, clock::time_point::duration limit);

 private:
  void read_more();
  expected<void> on_frame(const frame& f);
  expected<void> on_hello(std::string_view payload);
  expected<void> on_batch(std::string_view payload);
  expected<void> on_ack(std::string_view payload);
  /// Records why a frame is refused, for the close reason.
  expected<void> refuse(errc e, std::string why);
  void fail(std::error_code ec, const std::string& why);
  void finish();
  /// Settles the batches whose messages all left their targets' inboxes (the caller sends the
  /// acknowledgement); polls again later while some wait.
  void settle();
  void arm_settle_timer();

  remote_impl& owner_;
  std::unique_ptr<stream> stream_;
  std::string endpoint_;
  frame_decoder decoder_;
  std::vector<char> buffer_;
  const clock::time_point opened_ = clock::now();
  bool closed_ = false;
  std::string detail_;

  // From the hello.
  bool hello_ = false;
  std::string address_;
  const std::string* interned_ = nullptr;
  std::uint64_t session_ = 0;
  std::uint64_t last_seq_ = 0;

  // Reused per batch.
  wire::Batch batch_;
  std::vector<incoming> messages_;

  /// A delivered batch whose messages may still wait in their targets' inboxes.
  struct pending_batch {
    std::uint64_t seq = 0;
    std::vector<std::pair<actor::pid, std::uint64_t>> marks;  // local actor, its inbox mark
  };
  std::deque<pending_batch> pending_;
  std::uint64_t handled_seq_ = 0;
  asio::steady_timer settle_timer_;
  bool settle_armed_ = false;
  std::chrono::microseconds settle_delay_{0};
};

}  // namespace hollywood::remote::detail
