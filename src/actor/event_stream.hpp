// SPDX-License-Identifier: MIT
#pragma once

// The event stream is an actor: subscriptions and events share its inbox, so a subscription made
// before an event is published is always in place when the event is handled. Each event is
// copied to every subscriber. Delivery failures never become dead letters (a dead letter is an
// event, and would come straight back): a stopped subscriber is dropped, an event a full bounded
// subscriber cannot take is only counted.

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/actor/receiver.hpp>

#include "engine_impl.hpp"

#include <algorithm>
#include <vector>

namespace hollywood::actor::detail {

struct subscribe_request {
  pid subscriber;
};
struct unsubscribe_request {
  pid subscriber;
};

class event_stream_receiver final : public receiver {
 public:
  explicit event_stream_receiver(engine_impl* engine) noexcept : engine_(*engine) {}

  void receive(context& ctx) override {
    if (auto* s = ctx.get_if<subscribe_request>()) {
      if (std::find(subscribers_.begin(), subscribers_.end(), s->subscriber) !=
          subscribers_.end()) {
        engine_.subscription_dropped();  // already subscribed: the count had one too many
      } else {
        subscribers_.push_back(std::move(s->subscriber));
      }
      return;
    }
    if (auto* u = ctx.get_if<unsubscribe_request>()) {
      auto it = std::find(subscribers_.begin(), subscribers_.end(), u->subscriber);
      if (it != subscribers_.end()) {
        subscribers_.erase(it);
        engine_.subscription_dropped();
      }
      return;
    }
    if (ctx.is<initialized>() || ctx.is<started>()) return;
    if (ctx.is<stopped>()) {
      for (std::size_t i = 0; i < subscribers_.size(); ++i)
        engine_.subscription_dropped();
      subscribers_.clear();
      return;
    }
    const message& event = ctx.message();
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
      message copy = event.copy();
      const send_result r = engine_.try_deliver(*it, copy, pid{}, engine_impl::drops::counted);
      if (r == send_result::stopped || r == send_result::unknown_target) {
        it = subscribers_.erase(it);  // gone for good
        engine_.subscription_dropped();
      } else {
        ++it;  // delivered, or a full inbox dropped it (counted)
      }
    }
  }

 private:
  engine_impl& engine_;
  std::vector<pid> subscribers_;
};

}  // namespace hollywood::actor::detail
