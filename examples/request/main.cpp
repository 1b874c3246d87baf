// SPDX-License-Identifier: MIT
// Request/response, both forms: a blocking request from a plain thread (with a deadline), and a
// non-blocking request from inside an actor whose continuation runs later on that actor.
#include <hollywood/actor.hpp>

#include <chrono>
#include <cstdio>
#include <future>

using namespace hollywood::actor;
using namespace std::chrono_literals;

struct price_query {
  int item;
};
struct price {
  int item;
  int cents;
};
struct check_total {};

int main() {
  auto e = engine::create().value();
  pid catalog = e->spawn_fn(
      [](context& ctx) {
        if (auto* q = ctx.get_if<price_query>()) ctx.respond(price{q->item, 100 * q->item + 99});
      },
      "catalog");

  // 1. From a plain thread: blocks until the answer or the deadline.
  auto reply = e->request(catalog, price_query{3}, 1s).get();
  if (reply) std::printf("item 3 costs %d cents\n", reply->get<price>().cents);

  // 2. From an actor: never blocks a worker; the continuation runs on the cashier.
  std::promise<int> total;
  pid cashier = e->spawn_fn(
      [&total, catalog](context& ctx) {
        if (ctx.is<check_total>()) {
          ctx.request(catalog, price_query{7}, 1s,
                      [&total](context&, hollywood::expected<message> r) {
                        total.set_value(r ? r->get<price>().cents : -1);
                      });
        }
      },
      "cashier");
  e->send(cashier, check_total{});
  std::printf("item 7 costs %d cents\n", total.get_future().get());

  // 3. Nobody answers: the deadline counts from the call.
  pid mute = e->spawn_fn([](context&) {}, "mute");
  auto silence = e->request(mute, price_query{1}, 50ms).get();
  std::printf("mute: %s\n", silence ? "answered" : silence.error().message().c_str());
  return reply && !silence ? 0 : 1;
}
