// SPDX-License-Identifier: MIT
// Asks the greeter of examples/remote/server for a few greetings, both ways a request can be
// made: blocking from this thread, and non-blocking from an actor.
//
//   example_remote_client SERVER_ADDRESS
#include <hollywood/actor.hpp>
#include <hollywood/remote.hpp>

#include "greeter.pb.h"

#include <chrono>
#include <cstdio>
#include <future>
#include <string>

using namespace hollywood;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SERVER_ADDRESS (what example_remote_server printed)\n",
                 argv[0]);
    return 2;
  }
  auto net = remote::remote::create(remote::remote_config{}).value();
  if (!net->types().add_protobuf<greeter::Hello>() ||
      !net->types().add_protobuf<greeter::Greeting>()) {
    return 1;  // only a clash of two types under one name can fail
  }
  auto engine = actor::engine::create(actor::engine_config{}.with_remote(net)).value();
  const actor::pid greeter(argv[1], "greeter/main");  // a PID of another engine

  // 1. Blocking, with a deadline.
  greeter::Hello hello;
  hello.set_name("blocking client");
  auto reply = engine->request(greeter, hello, 5s).get();
  if (!reply) {
    std::fprintf(stderr, "no answer: %s\n", reply.error().message().c_str());
    return 1;
  }
  std::printf("%s (greeting #%llu)\n", reply->get<greeter::Greeting>().text().c_str(),
              static_cast<unsigned long long>(reply->get<greeter::Greeting>().served()));

  // 2. From an actor: the continuation runs on the actor when the answer arrives.
  std::promise<std::string> answer;
  auto asker = engine->spawn_fn(
      [&answer, greeter](actor::context& ctx) {
        if (ctx.is<actor::started>()) {
          greeter::Hello h;
          h.set_name("actor client");
          ctx.request(greeter, h, 5s, [&answer](actor::context&, expected<actor::message> r) {
            answer.set_value(r ? r->get<greeter::Greeting>().text()
                               : "failed: " + r.error().message());
          });
        }
      },
      "asker");
  std::printf("%s\n", answer.get_future().get().c_str());
  engine->poison(asker).wait();
  return 0;
}
