// SPDX-License-Identifier: MIT
// Timers: an actor ticks itself with send_repeat, stops the timer after five ticks, and a
// one-shot send_after reports back. Timers an actor starts also stop when the actor stops.
#include <hollywood/actor.hpp>

#include <chrono>
#include <cstdio>
#include <future>

using namespace hollywood::actor;
using namespace std::chrono_literals;

struct tick {};
struct done {};

int main() {
  auto e = engine::create().value();
  std::promise<int> result;
  pid metronome = e->spawn_fn(
      [&result, ticks = 0, t = timer{}](context& ctx) mutable {
        if (ctx.is<started>()) t = ctx.send_repeat(ctx.self(), tick{}, 10ms);
        if (ctx.is<tick>() && ++ticks == 5) {
          t.stop();
          ctx.send_after(ctx.self(), done{}, 20ms);
        }
        if (ctx.is<done>()) result.set_value(ticks);
      },
      "metronome");
  const int ticks = result.get_future().get();
  std::printf("metronome ticked %d times\n", ticks);
  e->poison(metronome).wait();
  return ticks == 5 ? 0 : 1;
}
