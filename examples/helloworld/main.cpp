// SPDX-License-Identifier: MIT
// Hello world: spawn an actor, send it a message, stop it gracefully.
// --(readme-hello-begin)--
#include <hollywood/actor.hpp>

#include <cstdio>
using namespace hollywood::actor;
int main() {
  auto e = engine::create().value();
  pid greeter = e->spawn_fn(
      [](context& ctx) {
        if (auto* name = ctx.get_if<std::string>()) std::printf("hello, %s\n", name->c_str());
      },
      "hello");
  e->send(greeter, std::string{"world"});
  e->poison(greeter).wait();  // handles everything queued, then stops
}
// --(readme-hello-end)--
