// SPDX-License-Identifier: MIT
// A chat room over the network. Members join from their own engines (their own processes, or, in
// --demo, engines in this process talking over loopback TCP); the room watches every member, so
// a member whose engine goes away is announced as gone.
//
//   example_chat room [--listen 127.0.0.1:5000]     run a room until Ctrl-C
//   example_chat join ROOM_ADDRESS NAME              chat: lines from stdin, messages to stdout
//   example_chat --demo                              a room and two members, scripted
#include <hollywood/actor.hpp>
#include <hollywood/remote.hpp>

#include "chat.pb.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace hollywood;
using namespace std::chrono_literals;

namespace {

struct node {
  std::shared_ptr<remote::remote> net;
  std::unique_ptr<actor::engine> engine;
};

node make_node(const std::string& listen = "127.0.0.1:0") {
  node n;
  n.net = remote::remote::create(remote::remote_config{}.with_listen(listen)).value();
  (void)n.net->types().add_protobuf<chat::Join>();
  (void)n.net->types().add_protobuf<chat::Say>();
  (void)n.net->types().add_protobuf<chat::Said>();
  (void)n.net->types().add_protobuf<chat::Notice>();
  n.engine = actor::engine::create(actor::engine_config{}.with_remote(n.net)).value();
  return n;
}

/// The room: members by PID; every Say goes to all of them.
class room final : public actor::receiver {
 public:
  void receive(actor::context& ctx) override {
    if (auto* j = ctx.get_if<chat::Join>()) {
      members_[ctx.sender()] = j->name();
      ctx.watch(ctx.sender());  // across engines: we hear when it (or its engine) is gone
      announce(ctx, j->name() + " joined");
    } else if (auto* s = ctx.get_if<chat::Say>()) {
      auto it = members_.find(ctx.sender());
      if (it == members_.end()) return;
      chat::Said said;
      said.set_from(it->second);
      said.set_text(s->text());
      for (const auto& [member, name] : members_)
        ctx.send(member, said);
    } else if (auto* t = ctx.get_if<actor::terminated>()) {
      auto it = members_.find(t->actor);
      if (it == members_.end()) return;
      const std::string name = it->second;
      members_.erase(it);
      announce(ctx, name + " left (" + std::string(actor::to_string(t->reason)) + ")");
    }
  }

 private:
  void announce(actor::context& ctx, const std::string& text) {
    chat::Notice n;
    n.set_text(text);
    for (const auto& [member, name] : members_)
      ctx.send(member, n);
  }

  std::unordered_map<actor::pid, std::string> members_;
};

/// A member: joins on start, forwards its user's lines, hands what it hears to `print`.
using printer = std::function<void(const std::string&)>;

actor::pid spawn_member(actor::engine& e, const actor::pid& room_pid, const std::string& name,
                        printer print) {
  return e.spawn_fn(
      [room_pid, name, print](actor::context& ctx) {
        if (ctx.is<actor::started>()) {
          chat::Join j;
          j.set_name(name);
          ctx.send(room_pid, j);
        } else if (auto* s = ctx.get_if<chat::Say>()) {
          ctx.send(room_pid, *s);  // from our user
        } else if (auto* said = ctx.get_if<chat::Said>()) {
          print(said->from() + ": " + said->text());
        } else if (auto* n = ctx.get_if<chat::Notice>()) {
          print("* " + n->text());
        }
      },
      "member", actor::spawn_options{}.with_id(name));
}

chat::Say say(const std::string& text) {
  chat::Say s;
  s.set_text(text);
  return s;
}

/// What a demo member saw, so the script can wait for a line before the next step.
struct transcript {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> lines;

  void add(const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(line);
    cv.notify_all();
  }
  bool wait_for(const std::string& line) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] {
      for (const auto& l : lines) {
        if (l == line) return true;
      }
      return false;
    });
  }
};

int demo() {
  node room_node = make_node();
  room_node.engine->spawn(actor::make_producer<room>(), "room",
                          actor::spawn_options{}.with_id("main"));
  const actor::pid room_pid(room_node.net->address(), "room/main");
  std::printf("room at %s\n", room_node.net->address().c_str());

  transcript seen;
  node alice = make_node();
  auto a = spawn_member(*alice.engine, room_pid, "alice", [&seen](const std::string& line) {
    std::printf("[alice sees] %s\n", line.c_str());
    seen.add(line);
  });
  if (!seen.wait_for("* alice joined")) return 1;
  auto bob = std::make_unique<node>(make_node());
  auto b = spawn_member(*bob->engine, room_pid, "bob", [](const std::string& line) {
    std::printf("[bob sees]   %s\n", line.c_str());
  });
  if (!seen.wait_for("* bob joined")) return 1;
  alice.engine->send(a, say("hi bob"));
  if (!seen.wait_for("alice: hi bob")) return 1;
  bob->engine->send(b, say("hi alice, got to go"));
  if (!seen.wait_for("bob: hi alice, got to go")) return 1;
  bob.reset();  // bob's whole engine goes away; the room's watch tells everyone
  if (!seen.wait_for("* bob left (stopped)")) return 1;
  std::printf("demo complete\n");
  return 0;
}

int run_room(const std::string& listen) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  node n = make_node(listen);
  n.engine->spawn(actor::make_producer<room>(), "room", actor::spawn_options{}.with_id("main"));
  std::printf("room at %s; join with: example_chat join %s NAME\n", n.net->address().c_str(),
              n.net->address().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  return 0;
}

int join(const std::string& room_address, const std::string& name) {
  node n = make_node();
  auto me = spawn_member(*n.engine, actor::pid(room_address, "room/main"), name,
                         [](const std::string& line) {
                           std::printf("%s\n", line.c_str());
                           std::fflush(stdout);
                         });
  for (std::string line; std::getline(std::cin, line);)
    n.engine->send(me, say(line));
  n.engine->poison(me).wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--demo") return demo();
  if (!args.empty() && args[0] == "room") {
    return run_room(args.size() == 3 && args[1] == "--listen" ? args[2] : "127.0.0.1:0");
  }
  if (args.size() == 3 && args[0] == "join") return join(args[1], args[2]);
  std::fprintf(stderr, "usage: %s room [--listen HOST:PORT] | join ROOM_ADDRESS NAME | --demo\n",
               argv[0]);
  return 2;
}
