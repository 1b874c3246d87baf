// SPDX-License-Identifier: MIT
// The event stream: subscribe an actor by PID, receive engine events (lifecycle, dead letters)
// and your own broadcasts.
#include <hollywood/actor.hpp>

#include <cstdio>
#include <future>

using namespace hollywood::actor;

struct deploy_finished {
  int version;
};

int main() {
  auto e = engine::create().value();
  std::promise<void> seen_all;
  pid listener = e->spawn_fn(
      [&seen_all, n = 0](context& ctx) mutable {
        if (auto* s = ctx.get_if<actor_started_event>()) {
          std::printf("started: %s\n", s->actor.to_string().c_str());
        } else if (auto* d = ctx.get_if<dead_letter_event>()) {
          std::printf("dead letter to %s\n", d->target.to_string().c_str());
        } else if (auto* f = ctx.get_if<deploy_finished>()) {
          std::printf("deploy %d finished\n", f->version);
        } else {
          return;
        }
        if (++n == 3) seen_all.set_value();
      },
      "listener");
  e->subscribe(listener);
  e->spawn_fn([](context&) {}, "worker");
  e->send(pid("local", "nobody/1"), 42);
  e->broadcast_event(deploy_finished{7});
  seen_all.get_future().wait();
  e->unsubscribe(listener);
}
