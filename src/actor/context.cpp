// SPDX-License-Identifier: MIT
#include <hollywood/actor/context.hpp>
#include <hollywood/actor/engine.hpp>

#include "engine_impl.hpp"
#include "log.hpp"
#include "process.hpp"
#include "responder.hpp"
#include "timer_service.hpp"

namespace hollywood::actor {

pid context::self() const noexcept {
  return pid(&self_);
}

std::string_view context::kind() const noexcept {
  return self_.kind();
}

const pid& context::parent() const noexcept {
  return self_.parent();
}

engine& context::engine() const noexcept {
  return self_.engine().owner();
}

void context::send_message(const pid& to, actor::message msg) {
  self_.engine().send(to, std::move(msg), pid(&self_));
}

send_result context::try_send_message(const pid& to, actor::message msg) {
  return self_.engine().try_send(to, std::move(msg), pid(&self_));
}

void context::watch(const pid& target) {
  self_.watch(target);
}

void context::unwatch(const pid& target) {
  self_.unwatch(target);
}

void context::forward(const pid& to) {
  self_.engine().send(to, std::move(current_.msg), current_.sender);
}

void context::request_message(const pid& to, actor::message msg, std::chrono::nanoseconds timeout,
                              request_continuation then) {
  detail::engine_impl& e = self_.engine();
  const std::uint64_t id = self_.add_request(std::move(then));
  pid responder = e.make_continuation_responder(self_, id, timeout);
  e.send_request(to, std::move(msg), std::move(responder));
}

namespace {
/// `options`: null for the defaults.
pid spawn_child_of(detail::process& parent, producer& make, std::string_view kind,
                   spawn_options* options) {
  if (parent.current_phase() == detail::phase::stopping ||
      parent.current_phase() == detail::phase::dead) {
    detail::log(log_level::warn,
                "spawn_child refused: " + std::string(parent.id()) + " is stopping");
    return {};
  }
  auto r = parent.engine().spawn(std::move(make), kind, options, &parent);
  if (!r) {
    detail::log(log_level::warn,
                "spawn_child of kind '" + std::string(kind) + "' refused: " + r.error().message());
    return {};
  }
  return std::move(*r);
}
}  // namespace

pid context::spawn_child(producer make, std::string_view kind) {
  return spawn_child_of(self_, make, kind, nullptr);
}

pid context::spawn_child(producer make, std::string_view kind, spawn_options options) {
  return spawn_child_of(self_, make, kind, &options);
}

const std::vector<pid>& context::children() const noexcept {
  return self_.children();
}

pid context::child(std::string_view relative_id) const {
  std::string full(self_.id());
  full.push_back('/');
  full.append(relative_id);
  for (const pid& c : self_.children()) {
    if (c.target()->has_id(full)) return c;  // without writing out every child's ID
  }
  return {};
}

completion context::poison(const pid& target) {
  return self_.engine().stop(target, detail::stop_mode::graceful);
}

completion context::stop(const pid& target) {
  return self_.engine().stop(target, detail::stop_mode::immediate);
}

timer context::schedule_timer(const pid& to, message_maker make, std::chrono::nanoseconds first,
                              std::chrono::nanoseconds interval) {
  detail::engine_impl& e = self_.engine();
  timer t = e.schedule_timer(
      [impl = &e, to, make = std::move(make), from = pid(&self_)] { impl->send(to, make(), from); },
      first, interval);
  self_.add_timer(detail::timer_access::entry(t));
  return t;
}

}  // namespace hollywood::actor
