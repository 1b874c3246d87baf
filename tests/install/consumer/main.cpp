// SPDX-License-Identifier: MIT
// A program outside the source tree, built against the installed package.
#include <hollywood/actor.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include <chrono>
#include <cstdio>

using namespace hollywood::actor;

struct question {
  int n;
};
struct answer {
  int n;
};

int main() {
  hollywood::ringbuffer::mpsc_queue<int> q;
  (void)q.try_push(1);
  int one = 0;
  if (!q.try_pop(one) || one != 1) return 1;

  auto e = engine::create().value();
  pid doubler = e->spawn_fn(
      [](context& ctx) {
        if (auto* q = ctx.get_if<question>()) ctx.respond(answer{q->n * 2});
      },
      "doubler");
  auto reply = e->request(doubler, question{21}, std::chrono::seconds(30)).get();
  if (!reply || reply->get<answer>().n != 42) {
    std::puts("consumer: wrong answer");
    return 1;
  }
  e->poison(doubler).wait();
  std::puts("consumer: ok");
  return 0;
}
