// SPDX-License-Identifier: MIT
// Children: a parent spawns children that live under its ID; poisoning the parent stops every
// descendant first, and the returned completion fires once the whole tree is gone.
#include <hollywood/actor.hpp>

#include <cstdio>
#include <future>

using namespace hollywood::actor;

struct report {};

int main() {
  auto e = engine::create().value();
  std::promise<void> ready;
  pid parent = e->spawn_fn(
      [&ready](context& ctx) {
        if (ctx.is<started>()) {
          for (const char* name : {"left", "right"}) {
            ctx.spawn_child_fn(
                [](context& c) {
                  if (c.is<stopped>())
                    std::printf("stopped: %s\n", std::string(c.self().id()).c_str());
                },
                "child", spawn_options{}.with_id(name));
          }
          ready.set_value();
        }
        if (ctx.is<report>()) {
          for (const pid& c : ctx.children())
            std::printf("child: %s\n", c.to_string().c_str());
        }
        if (ctx.is<stopped>()) std::printf("stopped: %s\n", std::string(ctx.self().id()).c_str());
      },
      "parent", spawn_options{}.with_id("p1"));
  ready.get_future().wait();
  e->send(parent, report{});
  e->poison(parent).wait();  // children first, then the parent
  std::printf("lookup after stop: '%s'\n", e->lookup("parent/p1/child/left").to_string().c_str());
  return e->pids("child").empty() ? 0 : 1;
}
