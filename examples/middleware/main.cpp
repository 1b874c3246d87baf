// SPDX-License-Identifier: MIT
// Middleware: wrappers around receive. The first wraps the second, which wraps the actor; they see
// lifecycle messages too and may drop a message by not calling `next`.
#include <hollywood/actor.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>

using namespace hollywood::actor;

struct command {
  std::string text;
  bool authorized;
};

int main() {
  middleware timing = [](receive_fn next) -> receive_fn {
    return [next](context& ctx) {
      const auto start = std::chrono::steady_clock::now();
      next(ctx);
      const auto us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start);
      std::printf("  [timing] %.*s took %.1f us\n",
                  static_cast<int>(ctx.message().type_name().size()),
                  ctx.message().type_name().data(), us.count());
    };
  };
  middleware auth = [](receive_fn next) -> receive_fn {
    return [next](context& ctx) {
      if (auto* c = ctx.get_if<command>(); c && !c->authorized) {
        std::printf("  [auth] rejected '%s'\n", c->text.c_str());
        return;
      }
      next(ctx);
    };
  };
  auto e = engine::create().value();
  std::promise<void> done;
  pid shell = e->spawn_fn(
      [&done](context& ctx) {
        if (auto* c = ctx.get_if<command>()) {
          std::printf("shell: running '%s'\n", c->text.c_str());
          if (c->text == "exit") done.set_value();
        }
      },
      "shell", spawn_options{}.with_middleware({timing, auth}));
  e->send(shell, command{"rm -rf /", false});
  e->send(shell, command{"ls", true});
  e->send(shell, command{"exit", true});
  done.get_future().wait();
}
