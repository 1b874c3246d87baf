// SPDX-License-Identifier: MIT
#include "pool_actor.hpp"

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/eventbus/kafka/events.hpp>

#include "attempt_state.hpp"

#include <exception>
#include <string>
#include <utility>

namespace hollywood::eventbus::kafka::detail {

namespace {

constexpr std::string_view dlq_header_prefix = "hollywood-dlq-";

std::string threw(const char* what) {
  return std::string("handler threw: ") + what;
}

}  // namespace

std::chrono::milliseconds pool_services::backoff(std::uint32_t failed) const {
  const auto& r = config->retry;
  auto delay = r.initial_backoff;
  for (std::uint32_t i = 1; i < failed && delay < r.max_backoff; ++i)
    delay *= 2;
  return delay < r.max_backoff ? delay : r.max_backoff;
}

void pool_actor::receive(actor::context& ctx) {
  if (ctx.is<slot_wakeup>()) {
    serve(ctx);
  } else if (auto* r = ctx.get_if<resume_record>()) {
    on_resume(ctx, *r);
  } else if (ctx.is<actor::started>()) {
    // A fresh actor, or a fresh instance after a crash: whatever the slot holds is ours now.
    slot_->set_server(ctx.self());
    rearm(ctx);
    serve(ctx);
  }
  if (!notes_.empty()) services_->sink->post(notes_);
}

void pool_actor::serve(actor::context& ctx) {
  records_scratch_.clear();
  results_scratch_.clear();
  slot_->take(records_scratch_, results_scratch_);
  for (auto& r : results_scratch_)
    on_result(ctx, r);
  for (auto& rec : records_scratch_)
    accept(ctx, std::move(rec));
  records_scratch_.clear();
  results_scratch_.clear();
}

void pool_actor::rearm(actor::context& ctx) {
  const auto now = bus_clock::now();
  auto revive = [&](const std::shared_ptr<record_state>& rec) {
    if (rec->phase != record_phase::retry_wait && rec->phase != record_phase::dead_letter_wait) {
      return;
    }
    const auto left =
        rec->resume_at > now
            ? std::chrono::duration_cast<std::chrono::milliseconds>(rec->resume_at - now)
            : std::chrono::milliseconds(0);
    ctx.send_after(ctx.self(), resume_record{rec, rec->token}, left);
  };
  std::vector<std::string> unstarted;
  for (auto& [agg, q] : slot_->queues) {
    if (q.empty()) continue;
    revive(q.front());
    if (q.front()->phase == record_phase::queued) unstarted.push_back(agg);
  }
  for (auto& [ptr, rec] : slot_->loose)
    revive(rec);
  // A crash between accepting a record and starting it leaves a queue whose head waits.
  for (const auto& agg : unstarted)
    advance(ctx, agg);
}

void pool_actor::accept(actor::context& ctx, std::shared_ptr<record_state> rec) {
  if (!rec->rec.ordered()) {
    if (rec->rec.cancelled()) {
      done(rec, finish_kind::discarded);
      return;
    }
    auto& slot_rec = slot_->loose[rec.get()];
    slot_rec = std::move(rec);
    start(slot_rec);
    return;
  }
  std::string agg(rec->rec.aggregate_id());
  auto& q = slot_->queues[agg];
  q.push_back(std::move(rec));
  if (q.size() == 1) advance(ctx, agg);
}

void pool_actor::advance(actor::context& /*ctx*/, const std::string& agg) {
  for (;;) {
    auto it = slot_->queues.find(agg);
    if (it == slot_->queues.end()) return;
    auto& q = it->second;
    if (q.empty()) {
      slot_->queues.erase(it);
      return;
    }
    auto front = q.front();
    if (front->phase != record_phase::queued) return;  // already under way
    if (front->rec.cancelled()) {
      done(front, finish_kind::discarded);
      q.pop_front();
      continue;
    }
    start(front);
    return;
  }
}

void pool_actor::start(const std::shared_ptr<record_state>& rec) {
  if (!rec->dead_letter_now.empty()) {
    dead_letter(rec, rec->dead_letter_now);
    return;
  }
  attempt(rec);
}

void pool_actor::attempt(const std::shared_ptr<record_state>& rec) {
  ++rec->attempts;
  rec->rec.set_attempt(rec->attempts);
  rec->phase = record_phase::running;
  rec->token = ++slot_->next_token;
  auto state = std::make_shared<attempt_state>(slot_, rec, rec->token);
  auto it = services_->handlers.find(rec->rec.topic());
  if (it == services_->handlers.end()) {
    state->complete(outcome::failure("no handler for this topic"));
    return;
  }
  if (it->second.async) {
    try {
      it->second.async(rec->rec, attempt_completion(state));
    } catch (const std::exception& e) {
      state->complete(outcome::failure(threw(e.what())));
    } catch (...) {
      state->complete(outcome::failure(threw("a non-standard exception")));
    }
    return;
  }
  const blocking_handler* fn = &it->second.blocking;  // services are immutable while running
  const bool queued = services_->blocking->submit([state, rec, fn] {
    outcome result = outcome::success();
    try {
      result = (*fn)(rec->rec);
    } catch (const std::exception& e) {
      result = outcome::failure(threw(e.what()));
    } catch (...) {
      result = outcome::failure(threw("a non-standard exception"));
    }
    state->complete(std::move(result));
  });
  if (!queued) state->complete(outcome::failure("the bus is stopping"));
}

void pool_actor::on_result(actor::context& ctx, attempt_result& r) {
  const auto& rec = r.rec;
  if (r.token != rec->token) return;  // a late duplicate of a result already acted on
  if (r.dead_letter) {
    if (rec->phase != record_phase::dead_lettering) return;
    if (r.result.ok()) {
      services_->metrics->dlq_records.increment();
      ctx.engine().broadcast_event(record_dead_lettered_event{
          std::string(rec->rec.topic()), rec->rec.partition(), rec->rec.offset(),
          std::string(rec->rec.aggregate_id()), rec->attempts, rec->last_error,
          services_->config->dead_letter_topic(rec->rec.topic())});
      finish(ctx, rec, finish_kind::dead_lettered);
      return;
    }
    services_->metrics->dlq_failures.increment();
    if (!rec->blocking) {
      rec->blocking = true;
      notes_.push_back({pool_note::kind::blocked, finish_kind::handled, false, false, rec});
      ctx.engine().broadcast_event(bus_error_event{
          "dead-letter produce failed for " + std::string(rec->rec.topic()) + "[" +
              std::to_string(rec->rec.partition()) + "]@" + std::to_string(rec->rec.offset()) +
              ": " + r.result.reason() + " (retrying; the partition is paused)",
          {}});
    }
    if (rec->rec.cancelled()) {
      finish(ctx, rec, finish_kind::discarded);
      return;
    }
    wait_then_resume(ctx, rec, record_phase::dead_letter_wait,
                     services_->backoff(++rec->dead_letter_tries));
    return;
  }
  if (rec->phase != record_phase::running) return;
  if (r.result.ok()) {
    finish(ctx, rec, finish_kind::handled);
  } else {
    failed(ctx, rec, r.result.reason());
  }
}

void pool_actor::failed(actor::context& ctx, const std::shared_ptr<record_state>& rec,
                        std::string reason) {
  rec->last_error = std::move(reason);
  if (!rec->failing) {
    rec->failing = true;
    notes_.push_back({pool_note::kind::stalled, finish_kind::handled, false, false, rec});
  }
  if (rec->rec.cancelled()) {
    finish(ctx, rec, finish_kind::discarded);
    return;
  }
  if (rec->attempts < services_->config->retry.max_attempts) {
    services_->metrics->retries.increment();
    wait_then_resume(ctx, rec, record_phase::retry_wait, services_->backoff(rec->attempts));
    return;
  }
  dead_letter(rec, rec->last_error);
}

void pool_actor::on_resume(actor::context& ctx, const resume_record& r) {
  const auto& rec = r.rec;
  if (r.token != rec->token) return;  // superseded (a re-armed timer fired first)
  if (rec->phase != record_phase::retry_wait && rec->phase != record_phase::dead_letter_wait) {
    return;
  }
  if (rec->rec.cancelled()) {
    finish(ctx, rec, finish_kind::discarded);
    return;
  }
  if (rec->phase == record_phase::retry_wait) {
    attempt(rec);
  } else {
    dead_letter(rec, rec->last_error);
  }
}

void pool_actor::dead_letter(const std::shared_ptr<record_state>& rec, std::string error) {
  rec->last_error = std::move(error);
  rec->phase = record_phase::dead_lettering;
  rec->token = ++slot_->next_token;
  const auto& f = rec->rec.fields();
  headers h = f.headers;
  auto add = [&](std::string_view name, std::string value) {
    h.push_back({std::string(dlq_header_prefix) + std::string(name), std::move(value)});
  };
  add("source-topic", f.topic);
  add("source-partition", std::to_string(f.partition));
  add("source-offset", std::to_string(f.offset));
  add("attempts", std::to_string(rec->attempts));
  add("error", rec->last_error);
  add("aggregate-id", f.aggregate_id);
  std::weak_ptr<pool_slot> slot = slot_;
  const std::uint64_t token = rec->token;
  services_->publisher->produce(
      services_->config->dead_letter_topic(f.topic), f.has_key ? &f.key : nullptr, f.value, h,
      [slot, rec, token](expected<delivery_report> d) {
        auto s = slot.lock();
        if (s == nullptr) return;
        s->push_result(attempt_result{
            rec, token, d ? outcome::success() : outcome::failure(d.error().message()), true});
      });
}

void pool_actor::wait_then_resume(actor::context& ctx, const std::shared_ptr<record_state>& rec,
                                  record_phase phase, std::chrono::milliseconds delay) {
  rec->phase = phase;
  rec->resume_at = bus_clock::now() + delay;
  ctx.send_after(ctx.self(), resume_record{rec, rec->token}, delay);
}

void pool_actor::done(const std::shared_ptr<record_state>& rec, finish_kind how) {
  auto& m = *services_->metrics;
  switch (how) {
    case finish_kind::handled:
      m.pool_handled.increment();
      break;
    case finish_kind::dead_lettered:
      m.pool_dead_lettered.increment();
      break;
    case finish_kind::discarded:
      m.pool_discarded.increment();
      break;
  }
  if (how != finish_kind::discarded) {
    m.pool_latency.observe(
        std::chrono::duration<double>(bus_clock::now() - rec->accepted_at).count());
  }
  notes_.push_back({pool_note::kind::finished, how, rec->failing, rec->blocking, rec});
  rec->phase = record_phase::finished;
  slot_->finished_one();
}

void pool_actor::finish(actor::context& ctx, const std::shared_ptr<record_state>& rec,
                        finish_kind how) {
  done(rec, how);
  if (!rec->rec.ordered()) {
    slot_->loose.erase(rec.get());
    return;
  }
  std::string agg(rec->rec.aggregate_id());
  auto it = slot_->queues.find(agg);
  if (it != slot_->queues.end() && !it->second.empty() && it->second.front() == rec) {
    it->second.pop_front();
  }
  advance(ctx, agg);
}

}  // namespace hollywood::eventbus::kafka::detail
