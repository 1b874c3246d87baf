// SPDX-License-Identifier: MIT
#include "keyed_pool.hpp"

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/events.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/actor/supervision.hpp>

#include "pool_actor.hpp"

#include <functional>
#include <string_view>
#include <utility>

namespace hollywood::eventbus::kafka::detail {

namespace {

constexpr std::string_view pool_kind = "kafka-pool";

/// Tells the supervisor to watch `server`, which serves `slot`.
struct supervise {
  actor::pid server;
  std::shared_ptr<pool_slot> slot;
};

/// Watches the pool actors: replaces one that is gone for good (unless its slot was retired) and
/// counts the pool's restarts and dead letters from the engine's events.
class pool_supervisor final : public actor::receiver {
 public:
  pool_supervisor(std::function<actor::pid(const std::shared_ptr<pool_slot>&)> spawn,
                  bus_metrics* metrics, std::string id_prefix)
      : spawn_(std::move(spawn)), metrics_(metrics), prefix_(std::move(id_prefix)) {}

  void receive(actor::context& ctx) override {
    if (auto* s = ctx.get_if<supervise>()) {
      watch(ctx, s->server, s->slot);
    } else if (auto* t = ctx.get_if<actor::terminated>()) {
      auto it = watched_.find(std::string(t->actor.id()));
      if (it == watched_.end()) return;
      auto slot = std::move(it->second);
      watched_.erase(it);
      if (slot->retired() || t->reason == actor::termination_reason::stopped) return;
      actor::pid fresh = spawn_(slot);
      metrics_->pool_replaced.increment();
      watch(ctx, fresh, slot);
    } else if (auto* r = ctx.get_if<actor::actor_restarted_event>()) {
      if (ours(r->actor)) metrics_->pool_restarts.increment();
    } else if (auto* d = ctx.get_if<actor::dead_letter_event>()) {
      if (ours(d->target)) metrics_->pool_dead_letters.increment();
    } else if (ctx.is<actor::started>()) {
      ctx.engine().subscribe(ctx.self());
    } else if (ctx.is<actor::stopped>()) {
      ctx.engine().unsubscribe(ctx.self());
    }
  }

 private:
  void watch(actor::context& ctx, const actor::pid& server, std::shared_ptr<pool_slot> slot) {
    if (!server) return;  // the engine is stopping
    watched_[std::string(server.id())] = std::move(slot);
    ctx.watch(server);  // answers at once if it is already gone
  }
  bool ours(const actor::pid& p) const { return p.id().substr(0, prefix_.size()) == prefix_; }

  std::function<actor::pid(const std::shared_ptr<pool_slot>&)> spawn_;
  bus_metrics* metrics_;
  std::string prefix_;
  std::unordered_map<std::string, std::shared_ptr<pool_slot>> watched_;
};

}  // namespace

keyed_pool::keyed_pool(std::shared_ptr<const pool_services> services, const bus_options& options,
                       std::string bus_name)
    : services_(std::move(services)),
      engine_(*services_->engine),
      middleware_(options.pool_middleware),
      max_restarts_(options.pool_max_restarts),
      restart_delay_(options.pool_restart_delay),
      name_(std::move(bus_name)) {}

keyed_pool::~keyed_pool() {
  stop();
}

void keyed_pool::start() {
  supervisor_ = engine_.spawn(
      actor::make_producer<pool_supervisor>(
          [this](const std::shared_ptr<pool_slot>& slot) { return spawn_server(slot); },
          services_->metrics, std::string(pool_kind) + "/" + name_ + "-"),
      "kafka-pool-supervisor", actor::spawn_options{}.with_id(name_));
  if (services_->config->pool.routing == pool_routing::hashed) {
    fixed_.reserve(services_->config->pool.size);
    for (std::size_t i = 0; i < services_->config->pool.size; ++i)
      fixed_.push_back(make_slot(std::to_string(i)));
  }
  unordered_ = make_slot("unordered");
}

std::shared_ptr<pool_slot> keyed_pool::make_slot(std::string name) {
  services_->metrics->pool_actors.increment();
  auto slot = std::make_shared<pool_slot>(engine_, std::move(name));
  actor::pid server = spawn_server(slot);
  engine_.send(supervisor_, supervise{server, slot});
  return slot;
}

actor::pid keyed_pool::spawn_server(const std::shared_ptr<pool_slot>& slot) {
  const std::string id = name_ + "-" + slot->name() + "-" +
                         std::to_string(generation_.fetch_add(1, std::memory_order_relaxed));
  actor::pid p = engine_.spawn(actor::make_producer<pool_actor>(slot, services_), pool_kind,
                               actor::spawn_options{}
                                   .with_id(id)
                                   .with_max_restarts(max_restarts_)
                                   .with_restart_delay(restart_delay_)
                                   .with_middleware(middleware_));
  slot->set_server(p);
  return p;
}

void keyed_pool::dispatch(std::shared_ptr<record_state> rec) {
  services_->metrics->pool_sent.increment();
  if (!rec->rec.ordered()) {
    unordered_->push_record(std::move(rec));
    return;
  }
  if (!fixed_.empty()) {
    const std::size_t h = std::hash<std::string_view>{}(rec->rec.aggregate_id());
    fixed_[h % fixed_.size()]->push_record(std::move(rec));
    return;
  }
  auto [it, fresh] = by_aggregate_.try_emplace(std::string(rec->rec.aggregate_id()));
  if (fresh) it->second.slot = make_slot(std::to_string(aggregate_slots_made_++).insert(0, 1, 'a'));
  it->second.last_used = bus_clock::now();
  it->second.slot->push_record(std::move(rec));
}

void keyed_pool::passivate_idle(bus_clock::time_point now) {
  const auto ttl = services_->config->pool.idle_ttl;
  for (auto it = by_aggregate_.begin(); it != by_aggregate_.end();) {
    auto& [slot, last_used] = it->second;
    if (slot->pending() == 0 && now - last_used >= ttl) {
      slot->retire();
      engine_.poison(slot->server());
      services_->metrics->pool_actors.decrement();
      it = by_aggregate_.erase(it);
    } else {
      ++it;
    }
  }
}

void keyed_pool::stop() {
  if (stopped_ || !supervisor_) return;
  stopped_ = true;
  std::vector<std::shared_ptr<pool_slot>> all = fixed_;
  if (unordered_) all.push_back(unordered_);
  for (auto& [agg, entry] : by_aggregate_)
    all.push_back(entry.slot);
  for (auto& slot : all)
    slot->retire();
  engine_.poison(supervisor_).wait();
  std::vector<actor::completion> stopping;
  for (auto& slot : all)
    stopping.push_back(engine_.poison(slot->server()));
  for (auto& c : stopping)
    c.wait();
  services_->metrics->pool_actors.set(0);
}

std::size_t keyed_pool::slots() const noexcept {
  return fixed_.size() + by_aggregate_.size() + (unordered_ ? 1 : 0);
}

}  // namespace hollywood::eventbus::kafka::detail
