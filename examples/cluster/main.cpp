// SPDX-License-Identifier: MIT
// Bank accounts as cluster identities: `account/<name>` lives on exactly one member at a time,
// is reachable from every member, and moves when its member leaves. Each account reloads its
// balance in `initialized` and saves it after every deposit; the store here is a map shared by
// the demo's members, standing in for a database.
//
//   example_cluster --demo     three members in this process over loopback TCP, scripted
#include <hollywood/actor.hpp>
#include <hollywood/cluster.hpp>
#include <hollywood/remote.hpp>

#include "bank.pb.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace hollywood;
using namespace std::chrono_literals;

namespace {

/// Where accounts keep their balances between activations. @threadsafe
class store {
 public:
  std::int64_t load(const std::string& account) {
    std::lock_guard lock(mu_);
    return balances_[account];
  }
  void save(const std::string& account, std::int64_t balance) {
    std::lock_guard lock(mu_);
    balances_[account] = balance;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::int64_t> balances_;
};

class account final : public actor::receiver {
 public:
  account(store* s, std::string member) : store_(*s), member_(std::move(member)) {}

  void receive(actor::context& ctx) override {
    if (ctx.is<actor::initialized>()) {
      name_ = cluster::identity_of(ctx)->id;  // which account this activation serves
      balance_ = store_.load(name_);
    } else if (auto* d = ctx.get_if<bank::Deposit>()) {
      balance_ += d->amount();
      store_.save(name_, balance_);
      bank::Balance b;
      b.set_account(name_);
      b.set_balance(balance_);
      b.set_member(member_);
      ctx.respond(b);
    }
  }

 private:
  store& store_;
  std::string member_;
  std::string name_;
  std::int64_t balance_ = 0;
};

struct member {
  std::shared_ptr<remote::remote> net;
  std::unique_ptr<actor::engine> engine;
  std::unique_ptr<cluster::cluster> node;
};

/// Prints what the cluster reports on a member's event stream.
void print_events(actor::engine& e, const std::string& who) {
  auto p = e.spawn_fn(
      [who](actor::context& ctx) {
        if (auto* j = ctx.get_if<cluster::member_joined_event>()) {
          std::printf("[%s] member %s joined\n", who.c_str(), j->name.c_str());
        } else if (auto* l = ctx.get_if<cluster::member_left_event>()) {
          std::printf("[%s] member %s left\n", who.c_str(), l->name.c_str());
        } else if (auto* a = ctx.get_if<cluster::actor_activated_event>()) {
          std::printf("[%s] activated %s/%s\n", who.c_str(), a->kind.c_str(), a->id.c_str());
        }
      },
      "events");
  e.subscribe(p);
}

std::vector<member> start_members(store& s, std::size_t n) {
  std::vector<member> ms(n);
  std::vector<std::string> seeds;
  for (auto& m : ms) {
    m.net = remote::remote::create(remote::remote_config{}.with_listen("127.0.0.1:0")).value();
    (void)m.net->types().add_protobuf<bank::Deposit>();
    (void)m.net->types().add_protobuf<bank::Balance>();
    m.engine = actor::engine::create(actor::engine_config{}.with_remote(m.net)).value();
    seeds.push_back(m.net->address());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = "member-" + std::to_string(i);
    print_events(*ms[i].engine, name);
    auto cfg = cluster::cluster_config{}
                   .with_name(name)
                   .with_kind("account", actor::make_producer<account>(&s, name))
                   .with_embedded(seeds);
    ms[i].node = cluster::cluster::create(*ms[i].engine, *ms[i].net, cfg).value();
  }
  return ms;
}

/// Deposits through `via` and prints who answered; false on failure.
bool deposit(member& via, const std::string& account, std::int64_t amount) {
  bank::Deposit d;
  d.set_amount(amount);
  auto r = via.node->activate("account", account).request(d, 10s).get();
  if (!r || !r->is<bank::Balance>()) {
    std::printf("deposit to %s failed: %s\n", account.c_str(),
                r ? "unexpected answer" : r.error().message().c_str());
    return false;
  }
  const auto& b = r->get<bank::Balance>();
  std::printf("via %s: %s has %lld (served by %s)\n", via.node->name().c_str(), b.account().c_str(),
              static_cast<long long>(b.balance()), b.member().c_str());
  return true;
}

int demo() {
  store s;
  auto ms = start_members(s, 3);
  // Wait until every member sees all three (the embedded provider gossips over heartbeats).
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (auto& m : ms) {
    while (m.node->members().size() < 3 || !m.node->serving()) {
      if (std::chrono::steady_clock::now() > deadline) return 1;
      std::this_thread::sleep_for(10ms);  // polling the membership view
    }
  }
  // The same accounts, reached from different members: one activation each.
  for (const char* a : {"alice", "bob", "carol"}) {
    for (auto& m : ms) {
      if (!deposit(m, a, 10)) return 1;
    }
  }
  // member-0 leaves gracefully: its accounts move, reload their balances and keep counting.
  std::printf("member-0 leaves\n");
  ms[0].node->leave();
  for (const char* a : {"alice", "bob", "carol"}) {
    if (!deposit(ms[1], a, 1)) return 1;
  }
  for (const char* a : {"alice", "bob", "carol"}) {
    if (s.load(a) != 31) return 1;
  }
  std::printf("demo complete\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--demo") return demo();
  std::fprintf(stderr,
               "usage: %s --demo\n(for members in separate processes, see `hollywood node "
               "--cluster`)\n",
               argv[0]);
  return 2;
}
