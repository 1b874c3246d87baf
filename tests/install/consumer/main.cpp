// SPDX-License-Identifier: MIT
// A program outside the source tree, built against the installed package.
#include <hollywood/actor.hpp>
#include <hollywood/cluster.hpp>
#include <hollywood/eventbus.hpp>
#include <hollywood/remote.hpp>
#include <hollywood/ringbuffer/mpsc_queue.hpp>

#include <google/protobuf/wrappers.pb.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

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

  // Two engines with remotes on loopback: a protobuf request and a trivially copyable answer.
  auto types = std::make_shared<hollywood::remote::type_registry>();
  if (!types->add_protobuf<google::protobuf::StringValue>() ||
      !types->add<answer>("consumer.answer")) {
    return 1;
  }
  auto make = [&] {
    auto r = hollywood::remote::remote::create(hollywood::remote::remote_config{}.with_types(types))
                 .value();
    return std::pair{r, engine::create(engine_config{}.with_remote(r)).value()};
  };
  auto [net_a, a] = make();
  auto [net_b, b] = make();
  b->spawn_fn(
      [](context& ctx) {
        if (auto* s = ctx.get_if<google::protobuf::StringValue>()) {
          ctx.respond(answer{static_cast<int>(s->value().size())});
        }
      },
      "length", spawn_options{}.with_id("1"));
  google::protobuf::StringValue word;
  word.set_value("hollywood");
  auto remote_reply =
      a->request(pid(net_b->address(), "length/1"), word, std::chrono::seconds(30)).get();
  if (!remote_reply || remote_reply->get<answer>().n != 9) {
    std::puts("consumer: wrong remote answer");
    return 1;
  }
  // A cluster of one (the embedded provider, its own seed): an identity activated on demand.
  auto member = hollywood::cluster::cluster::create(
      *b, *net_b,
      hollywood::cluster::cluster_config{}.with_name("solo").with_kind(
          "length", make_fn_producer([](context& ctx) {
            if (auto* s = ctx.get_if<google::protobuf::StringValue>()) {
              ctx.respond(answer{static_cast<int>(s->value().size())});
            }
          })));
  if (!member) return 1;
  auto identity_reply =
      (*member)->activate("length", "w").request(word, std::chrono::seconds(30)).get();
  if (!identity_reply || identity_reply->get<answer>().n != 9) {
    std::puts("consumer: wrong answer from the cluster identity");
    return 1;
  }
  member->reset();
  // The Kafka event bus with its embedded broker: one published record, handled.
  namespace kafka = hollywood::eventbus::kafka;
  kafka::bus_config cfg;
  cfg.kafka.consumer.group_id = "consumer";
  cfg.kafka.consumer.topics = {"consumer.events"};
  auto bus = kafka::bus::create(*e, cfg);
  if (!bus) return 1;
  std::atomic<bool> handled{false};
  (void)(*bus)->handle_blocking("consumer.events", [&](const kafka::record& r) {
    if (r.aggregate_id() == "order-1") handled = true;
    return kafka::outcome::success();
  });
  if (!(*bus)->start()) return 1;
  auto delivered = (*bus)->publisher().publish("consumer.events", "order-1", "{}").get();
  if (!delivered) return 1;
  for (int i = 0; i < 600 && !handled; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*bus)->stop();
  if (!handled) {
    std::puts("consumer: the bus did not handle the record");
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
