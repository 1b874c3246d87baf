// SPDX-License-Identifier: MIT
#include <hollywood/actor.hpp>

#include <gtest/gtest.h>

#include <hollywood_test/wait.hpp>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace hollywood::actor;
using hollywood::test::wait_until;

struct hello {};
struct secret {};

struct trace {
  std::mutex mu;
  std::vector<std::string> lines;
  void add(std::string s) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(s));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu);
    return lines;
  }
};

middleware tag(std::shared_ptr<trace> t, std::string name) {
  return [t, name](receive_fn next) -> receive_fn {
    return [t, name, next](context& ctx) {
      if (ctx.is<hello>()) t->add(name + ">");
      next(ctx);
      if (ctx.is<hello>()) t->add("<" + name);
    };
  };
}

TEST(middleware, the_first_middleware_wraps_the_second_which_wraps_receive) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  auto t = std::make_shared<trace>();
  pid p = e->spawn_fn(
      [t](context& ctx) {
        if (ctx.is<hello>()) t->add("receive");
      },
      "wrapped", spawn_options{}.with_middleware({tag(t, "A"), tag(t, "B")}));
  e->send(p, hello{});
  ASSERT_TRUE(wait_until([&] { return t->get().size() == 5; }));
  EXPECT_EQ(t->get(), (std::vector<std::string>{"A>", "B>", "receive", "<B", "<A"}));
}

TEST(middleware, middleware_sees_lifecycle_messages_and_may_short_circuit) {
  auto e = engine::create(engine_config{}.with_workers(1)).value();
  auto t = std::make_shared<trace>();
  middleware filter = [t](receive_fn next) -> receive_fn {
    return [t, next](context& ctx) {
      if (ctx.is<initialized>()) t->add("mw:initialized");
      if (ctx.is<started>()) t->add("mw:started");
      if (ctx.is<secret>()) return;  // swallowed
      next(ctx);
    };
  };
  pid p = e->spawn_fn(
      [t](context& ctx) {
        if (ctx.is<secret>()) t->add("leak");
        if (ctx.is<hello>()) t->add("hello");
      },
      "filtered", spawn_options{}.with_middleware({filter}));
  e->send(p, secret{});
  e->send(p, hello{});
  ASSERT_TRUE(wait_until([&] { return t->get().size() == 3; }));
  EXPECT_EQ(t->get(), (std::vector<std::string>{"mw:initialized", "mw:started", "hello"}));
}

}  // namespace
