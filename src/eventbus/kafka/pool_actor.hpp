// SPDX-License-Identifier: MIT
#pragma once

// A pool actor: serves one slot. It starts the first record of each aggregate, runs retries
// with back-off while the aggregate's later records wait, dead-letters what keeps failing, and
// reports every finished record to the consumer thread. Handler failures and throws are caught
// here and count as failed attempts; only a crash elsewhere (a throwing middleware) restarts
// the actor, and the slot keeps its records across that.

#include <hollywood/actor/receiver.hpp>

#include "pool_services.hpp"
#include "pool_slot.hpp"

#include <memory>
#include <vector>

namespace hollywood::eventbus::kafka::detail {

/// A timer's message: the back-off of `rec` (whose token was `token`) is over.
struct resume_record {
  std::shared_ptr<record_state> rec;
  std::uint64_t token = 0;
};

/// @actor_confined
class pool_actor final : public actor::receiver {
 public:
  pool_actor(std::shared_ptr<pool_slot> slot, std::shared_ptr<const pool_services> services)
      : slot_(std::move(slot)), services_(std::move(services)) {}

  void receive(actor::context& ctx) override;

 private:
  void serve(actor::context& ctx);
  void rearm(actor::context& ctx);
  void on_result(actor::context& ctx, attempt_result& r);
  void on_resume(actor::context& ctx, const resume_record& r);
  void accept(actor::context& ctx, std::shared_ptr<record_state> rec);
  /// Starts the first queued record of `agg`, finishing cancelled ones on the way.
  void advance(actor::context& ctx, const std::string& agg);
  void start(const std::shared_ptr<record_state>& rec);
  void attempt(const std::shared_ptr<record_state>& rec);
  void failed(actor::context& ctx, const std::shared_ptr<record_state>& rec, std::string reason);
  void dead_letter(const std::shared_ptr<record_state>& rec, std::string error);
  /// Counts and reports `rec` as finished (the queues are the caller's business).
  void done(const std::shared_ptr<record_state>& rec, finish_kind how);
  /// `done`, then takes `rec` off its queue and starts the next record of its aggregate.
  void finish(actor::context& ctx, const std::shared_ptr<record_state>& rec, finish_kind how);
  void wait_then_resume(actor::context& ctx, const std::shared_ptr<record_state>& rec,
                        record_phase phase, std::chrono::milliseconds delay);

  std::shared_ptr<pool_slot> slot_;
  std::shared_ptr<const pool_services> services_;
  std::vector<pool_note> notes_;  // posted once per message handled
  std::vector<std::shared_ptr<record_state>> records_scratch_;
  std::vector<attempt_result> results_scratch_;
};

}  // namespace hollywood::eventbus::kafka::detail
