// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace hollywood::actor {

class remote_transport;

/// Address of an engine created without a remote.
inline constexpr std::string_view local_address = "local";
/// Messages an actor handles per turn before its worker serves others.
inline constexpr std::size_t default_throughput = 256;
/// How long an idle worker (or a worker whose actor caught up with its inbox) polls for more
/// work before it parks. About one thread wake-up on a virtual machine: spinning longer mostly
/// burns CPU, shorter pays a 10-25 us wake-up per burst.
inline constexpr std::chrono::nanoseconds default_spin{20'000};
/// The longest wait between two looks at its inbox by an actor that caught up with senders who
/// stream to it. Each look reads the inbox's tail, the cache line every sender must then take
/// back: an actor that looks continuously makes each message cost senders a cross-core transfer.
/// Waiting lets them fill several slots per transfer (fan-in from one thread: 15 M -> 35-40 M
/// messages/s on the project's 2-core VM). The wait adapts per actor: it grows only while
/// messages keep arriving within two looks, and falls back to continuous looking as soon as they
/// do not, so an actor waiting for a reply or a sparse message is not delayed by it.
inline constexpr std::chrono::nanoseconds default_stream_poll{1'000};

/// Whether workers are pinned to CPUs.
enum class worker_pinning : std::uint8_t {
  /// The OS places worker threads.
  none,
  /// Worker i runs on CPU (i mod hardware threads): steadier latency, worse when the machine is
  /// shared.
  per_core,
};

/// What an engine does with the memory a burst of messages leaves behind.
enum class memory_return : std::uint8_t {
  /// Keep it for the next burst: an idle engine does no work at all.
  keep,
  /// Once the engine has had nothing to run for `return_memory_after`, free the inbox and
  /// run-queue blocks that threads keep for reuse, give back the pages of stopped actors' slots,
  /// and ask malloc to give its free pages back to the OS (glibc's `malloc_trim`, when glibc's
  /// malloc is the one in use). Once per idle period
  /// that follows work, on a worker. The next burst pays page faults for what was returned.
  when_idle,
};

/// How long an engine must have had nothing to run before it returns memory (see
/// `memory_return::when_idle`): long enough that a lull inside a burst does not count.
inline constexpr std::chrono::milliseconds default_return_memory_after{100};

/// What a send from a plain thread (one that is not a worker of an engine) does while its receiver
/// is far behind. Sends from actors never wait: their worker runs other actors.
enum class sender_backoff : std::uint8_t {
  /// Return at once, however long the receiver's inbox grows.
  none,
  /// After queueing, while the receiver's inbox holds more than `backoff_backlog` messages, wait
  /// up to 5 us for it to catch up, and yield the sender's core (`sched_yield`) if it did not.
  /// When senders outnumber cores, the receiver's worker competes with them for CPU time: the
  /// yield hands it the core as soon as it is starved instead of at the end of a time slice,
  /// rather than growing its inbox (4 plain threads -> 1 actor on 2 cores: 37 M -> 54 M
  /// messages/s). A receiver on a core of its own catches up within the wait, and its senders
  /// never make the system call. Messages are never refused or dropped by this.
  yield,
};
/// The inbox depth past which `sender_backoff::yield` makes plain-thread senders yield: deep
/// enough that a burst to a busy actor is not slowed, shallow enough that a flood shows quickly.
inline constexpr std::size_t default_backoff_backlog = 4096;

/// Engine configuration: a value type with chained setters. Not thread-safe (a set-up object).
struct engine_config {
  /// The engine's address, part of every PID it creates. `local` unless a remote is configured.
  std::string address{local_address};
  /// Worker threads; 0 means one per hardware thread.
  std::size_t workers = 0;
  /// Messages per actor turn (>= 1).
  std::size_t throughput = default_throughput;
  /// Spin budget of idle workers before they park; 0 parks at once.
  std::chrono::nanoseconds spin = default_spin;
  /// Longest wait between looks at the inbox while senders stream; 0 always looks continuously
  /// (the lowest latency per message, the highest cost per message under fan-in).
  std::chrono::nanoseconds stream_poll = default_stream_poll;
  /// Worker placement.
  worker_pinning pinning = worker_pinning::none;
  /// Memory left behind by bursts.
  memory_return return_memory = memory_return::when_idle;
  /// Idle time before memory is returned (> 0).
  std::chrono::milliseconds return_memory_after = default_return_memory_after;
  /// Plain-thread senders facing a receiver that is far behind.
  sender_backoff backoff = sender_backoff::yield;
  /// Inbox depth past which `sender_backoff::yield` applies (>= 1).
  std::size_t backoff_backlog = default_backoff_backlog;
  /// The remote that makes this engine reachable (see hollywood/remote); its address replaces
  /// `address`. Null: a local-only engine.
  std::shared_ptr<remote_transport> remote;

  [[nodiscard]] engine_config with_address(std::string v) const {
    auto c = *this;
    c.address = std::move(v);
    return c;
  }
  [[nodiscard]] engine_config with_workers(std::size_t v) const {
    auto c = *this;
    c.workers = v;
    return c;
  }
  [[nodiscard]] engine_config with_throughput(std::size_t v) const {
    auto c = *this;
    c.throughput = v;
    return c;
  }
  [[nodiscard]] engine_config with_spin(std::chrono::nanoseconds v) const {
    auto c = *this;
    c.spin = v;
    return c;
  }
  [[nodiscard]] engine_config with_stream_poll(std::chrono::nanoseconds v) const {
    auto c = *this;
    c.stream_poll = v;
    return c;
  }
  [[nodiscard]] engine_config with_pinning(worker_pinning v) const {
    auto c = *this;
    c.pinning = v;
    return c;
  }
  [[nodiscard]] engine_config with_memory_return(
      memory_return v, std::chrono::milliseconds after = default_return_memory_after) const {
    auto c = *this;
    c.return_memory = v;
    c.return_memory_after = after;
    return c;
  }
  [[nodiscard]] engine_config with_sender_backoff(
      sender_backoff v, std::size_t backlog = default_backoff_backlog) const {
    auto c = *this;
    c.backoff = v;
    c.backoff_backlog = backlog;
    return c;
  }
  [[nodiscard]] engine_config with_remote(std::shared_ptr<remote_transport> v) const {
    auto c = *this;
    c.remote = std::move(v);
    return c;
  }

  /// Returns a description of the first invalid field, or an empty string when all are valid.
  [[nodiscard]] std::string problem() const;
};

}  // namespace hollywood::actor
