// SPDX-License-Identifier: MIT
// Supervision: an actor that throws is restarted with a fresh instance after a delay. The message
// that crashed it becomes a dead letter; the messages queued behind it reach the new instance.
#include <hollywood/actor.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <stdexcept>

using namespace hollywood::actor;
using namespace std::chrono_literals;

struct order {
  int id;
  bool poisoned;
};

class order_handler : public receiver {
 public:
  explicit order_handler(std::promise<void>* last) : last_(last) {}
  void receive(context& ctx) override {
    if (ctx.is<initialized>()) std::printf("order handler: fresh instance\n");
    if (auto* o = ctx.get_if<order>()) {
      if (o->poisoned) throw std::runtime_error("order " + std::to_string(o->id) + " is corrupt");
      std::printf("order handler: processed order %d\n", o->id);
      if (o->id == 3) last_->set_value();
    }
  }

 private:
  std::promise<void>* last_;
};

int main() {
  auto e = engine::create().value();
  pid events = e->spawn_fn(
      [](context& ctx) {
        if (auto* r = ctx.get_if<actor_restarted_event>()) {
          std::printf("event: restart #%u after %s\n", r->restarts, r->reason.c_str());
        }
        if (auto* d = ctx.get_if<dead_letter_event>();
            d && d->reason == dead_letter_reason::crashed) {
          std::printf("event: dead letter (crashed) for order %d\n", d->message->get<order>().id);
        }
      },
      "events");
  e->subscribe(events);

  std::promise<void> last;
  pid handler = e->spawn(make_producer<order_handler>(&last), "orders",
                         spawn_options{}.with_restart_delay(100ms).with_max_restarts(3));
  e->send(handler, order{1, false});
  e->send(handler, order{2, true});   // crashes the first instance
  e->send(handler, order{3, false});  // waits in the inbox, then reaches the new instance
  return last.get_future().wait_for(10s) == std::future_status::ready ? 0 : 1;
}
