// SPDX-License-Identifier: MIT
#pragma once

// One accepted record's journey through the pool, and the notes the pool sends back to the
// consumer thread. The consumer thread owns `partition` (the pool only carries it back); the
// pool actor serving the record owns the phase fields.

#include <hollywood/eventbus/kafka/record.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

struct partition_state;

using bus_clock = std::chrono::steady_clock;

/// Where a record is in its journey (pool-actor confined).
enum class record_phase : std::uint8_t {
  queued,            // behind earlier records of its aggregate
  running,           // an attempt is under way
  retry_wait,        // failed, waiting for its back-off
  dead_lettering,    // being produced to the dead-letter topic
  dead_letter_wait,  // that produce failed, waiting to try again
  finished,
};

/// How a record left the pool.
enum class finish_kind : std::uint8_t {
  handled,        // an attempt succeeded
  dead_lettered,  // the dead-letter topic has it
  discarded,      // its partition was revoked (or the bus stopped) first: not handled here
};

struct record_state {
  record_state(record_fields f, std::shared_ptr<const std::atomic<bool>> cancelled,
               std::shared_ptr<partition_state> p, bus_clock::time_point at)
      : rec(std::move(f), std::move(cancelled)), partition(std::move(p)), accepted_at(at) {}

  kafka::record rec;
  std::shared_ptr<partition_state> partition;  // consumer thread only
  bus_clock::time_point accepted_at;
  /// Non-empty: not handled, but dead-lettered at once with this error (a malformed envelope).
  std::string dead_letter_now;

  // -- owned by the pool actor serving the record -------------------------------------------
  record_phase phase = record_phase::queued;
  std::uint64_t token = 0;  // the current attempt or dead-letter produce; stale results differ
  std::uint32_t attempts = 0;
  std::uint32_t dead_letter_tries = 0;
  std::string last_error;
  bus_clock::time_point resume_at{};
  bool failing = false;   // reported `stalled`: its partition cannot commit past it for now
  bool blocking = false;  // reported `blocked`: its dead-letter produce fails; partition paused
};

/// A message from the pool to the consumer thread.
struct pool_note {
  enum class kind : std::uint8_t {
    finished,  // `how`; carries `failing`/`blocking` so the counts below are undone
    stalled,   // a record failed for the first time
    blocked,   // its dead-letter produce failed for the first time
  };
  kind what = kind::finished;
  finish_kind how = finish_kind::handled;
  bool was_failing = false;
  bool was_blocking = false;
  std::shared_ptr<record_state> rec;
};

/// Where pool actors post notes. @threadsafe
class note_sink {
 public:
  virtual ~note_sink() = default;
  /// Takes the notes (leaves `notes` empty).
  virtual void post(std::vector<pool_note>& notes) = 0;
};

}  // namespace hollywood::eventbus::kafka::detail
