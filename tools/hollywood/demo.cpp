// SPDX-License-Identifier: MIT
// `hollywood demo`: a short tour of the engine, ending in a summary table.
#include <hollywood/actor.hpp>

#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hollywood::tools {

namespace {

using namespace hollywood::actor;
using namespace std::chrono_literals;

struct greet {
  std::string name;
};
struct add {
  int a;
  int b;
};
struct sum {
  int value;
};
struct boom {};
struct grow {
  int depth;
};

/// Everything the tour observed, filled by an event subscriber and the actors.
struct observations {
  std::mutex mu;
  std::vector<std::string> stop_order;
  std::atomic<int> greetings{0};
  std::atomic<int> flaky_handled{0};
  std::atomic<int> tree_started{0};
  std::atomic<int> restarts{0};
  std::atomic<int> dead_letters{0};
  std::atomic<int> stopped_events{0};
};

class flaky : public receiver {
 public:
  explicit flaky(observations* obs) : obs_(obs) {}
  void receive(context& ctx) override {
    if (ctx.is<initialized>()) std::printf("  flaky: fresh instance initialized\n");
    if (ctx.is<boom>()) throw std::runtime_error("asked to fail");
    if (ctx.is<greet>()) {
      obs_->flaky_handled.fetch_add(1);
      std::printf("  flaky: handled '%s' after the crash\n", ctx.get<greet>().name.c_str());
    }
  }

 private:
  observations* obs_;
};

/// A node of the tree: spawns two children until `depth` is 0 and logs when it stops.
producer tree_node(observations* obs, int depth) {
  return make_fn_producer([obs, depth](context& ctx) {
    if (ctx.is<started>()) {
      obs->tree_started.fetch_add(1);
      if (depth > 0) {
        ctx.spawn_child(tree_node(obs, depth - 1), "node");
        ctx.spawn_child(tree_node(obs, depth - 1), "node");
      }
    }
    if (ctx.is<stopped>()) {
      std::lock_guard lock(obs->mu);
      obs->stop_order.push_back(std::string(ctx.self().id()));
    }
  });
}

bool wait_for(const std::function<bool()>& cond) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

int run_demo() {
  const auto begin = std::chrono::steady_clock::now();
  auto e = engine::create().value();
  observations obs;

  std::printf("1. events: subscribe an actor to the event stream\n");
  pid watcher = e->spawn_fn(
      [&obs](context& ctx) {
        if (auto* r = ctx.get_if<actor_restarted_event>()) {
          obs.restarts.fetch_add(1);
          std::printf("  event: %s restarted (%u) after '%s'\n", r->actor.to_string().c_str(),
                      r->restarts, r->reason.c_str());
        }
        if (auto* d = ctx.get_if<dead_letter_event>()) {
          obs.dead_letters.fetch_add(1);
          std::printf("  event: dead letter to %s (%s): %.*s\n", d->target.to_string().c_str(),
                      std::string(to_string(d->reason)).c_str(),
                      static_cast<int>(d->message->type_name().size()),
                      d->message->type_name().data());
        }
        if (ctx.is<actor_stopped_event>()) obs.stopped_events.fetch_add(1);
      },
      "watcher");
  e->subscribe(watcher);

  std::printf("2. messages: a greeter handles three greetings in order\n");
  pid greeter = e->spawn_fn(
      [&obs](context& ctx) {
        if (auto* g = ctx.get_if<greet>()) {
          obs.greetings.fetch_add(1);
          std::printf("  greeter: hello, %s\n", g->name.c_str());
        }
      },
      "greeter");
  for (const char* name : {"Ada", "Grace", "Linus"})
    e->send(greeter, greet{name});
  wait_for([&] { return obs.greetings.load() == 3; });

  std::printf("3. request/response: ask a calculator from a plain thread\n");
  pid calculator = e->spawn_fn(
      [](context& ctx) {
        if (auto* a = ctx.get_if<add>()) ctx.respond(sum{a->a + a->b});
      },
      "calculator");
  const auto t0 = std::chrono::steady_clock::now();
  auto answer = e->request(calculator, add{20, 22}, 1s).get();
  const auto rtt = std::chrono::steady_clock::now() - t0;
  const int result = answer ? answer->get<sum>().value : -1;
  std::printf("  calculator: 20 + 22 = %d (round trip %.1f us)\n", result,
              std::chrono::duration<double, std::micro>(rtt).count());

  std::printf("4. supervision: flaky crashes, is restarted, keeps its queued messages\n");
  pid flaky_pid =
      e->spawn(make_producer<flaky>(&obs), "flaky", spawn_options{}.with_restart_delay(100ms));
  e->send(flaky_pid, boom{});
  e->send(flaky_pid, greet{"queued behind the crash"});
  wait_for([&] { return obs.flaky_handled.load() == 1; });

  std::printf("5. graceful stop of a tree: children stop before their parents\n");
  pid root = e->spawn(tree_node(&obs, 2), "tree");
  wait_for([&] { return obs.tree_started.load() == 7; });
  e->poison(root).wait();
  {
    std::lock_guard lock(obs.mu);
    for (const auto& id : obs.stop_order)
      std::printf("  stopped: %s\n", id.c_str());
  }

  std::printf("6. a message to a stopped actor becomes a dead letter\n");
  e->send(root, greet{"anyone there?"});
  wait_for([&] { return obs.dead_letters.load() >= 2; });  // the crash and this one

  const auto stats = e->stats();
  e->shutdown();
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  std::printf("\nsummary\n");
  std::printf("  +--------------------------------------+-----------+\n");
  auto row = [](const char* what, const std::string& value) {
    std::printf("  | %-36s | %9s |\n", what, value.c_str());
  };
  row("greetings handled in order", std::to_string(obs.greetings.load()) + "/3");
  row("request/response result", std::to_string(result));
  row("restarts observed", std::to_string(obs.restarts.load()));
  row("messages handled after a crash", std::to_string(obs.flaky_handled.load()));
  row("tree actors started", std::to_string(obs.tree_started.load()));
  row("tree actors stopped (leaves first)", std::to_string(obs.stop_order.size()));
  row("dead letters", std::to_string(stats.dead_letters));
  row("actors alive before shutdown", std::to_string(stats.actors));
  row("worker threads", std::to_string(stats.workers));
  row("elapsed (ms)", std::to_string(static_cast<int>(elapsed)));
  std::printf("  +--------------------------------------+-----------+\n");
  const bool ok = obs.greetings.load() == 3 && result == 42 && obs.restarts.load() == 1 &&
                  obs.flaky_handled.load() == 1 && obs.stop_order.size() == 7;
  std::printf("demo %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace

command add_demo(CLI::App&) {
  return run_demo;
}

}  // namespace hollywood::tools
