// SPDX-License-Identifier: MIT
#include "cluster_kinds.hpp"

#include <hollywood/actor.hpp>
#include <hollywood/cluster/identity.hpp>

#include "node.pb.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hollywood::tools {
namespace {

/// One O_APPEND descriptor per process: each line is one write, so lines from concurrent
/// activations never interleave.
class handled_log {
 public:
  explicit handled_log(const std::string& path)
      : fd_(path.empty() ? -1 : ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)) {}
  ~handled_log() {
    if (fd_ >= 0) ::close(fd_);
  }
  handled_log(const handled_log&) = delete;
  handled_log& operator=(const handled_log&) = delete;
  void write(const std::string& line) const {
    if (fd_ >= 0) (void)!::write(fd_, line.data(), line.size());
  }

 private:
  int fd_;
};

struct entity : actor::receiver {
  std::string member;
  std::shared_ptr<const handled_log> log;
  std::function<std::uint64_t()> incarnation;
  std::string identity;

  entity(std::string m, std::shared_ptr<const handled_log> l, std::function<std::uint64_t()> inc)
      : member(std::move(m)), log(std::move(l)), incarnation(std::move(inc)) {}

  void receive(actor::context& ctx) override {
    if (ctx.is<actor::initialized>()) {
      // Where a real entity would reload its state.
      auto who = cluster::identity_of(ctx);
      identity = who ? who->kind + "/" + who->id : "?";
      return;
    }
    auto* v = ctx.get_if<node::Visit>();
    if (v == nullptr) return;
    const auto inc = incarnation();
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    log->write(identity + " " + member + " " + std::to_string(inc) + " " + std::to_string(wall) +
               " " + std::to_string(v->seq()) + "\n");
    if (ctx.sender()) {
      node::VisitAck ack;
      ack.set_member(member);
      ack.set_incarnation(inc);
      ack.set_seq(v->seq());
      ack.set_identity(identity);
      ctx.respond(std::move(ack));
    }
  }
};

}  // namespace

actor::pid spawn_dead_letter_log(actor::engine& e, const std::string& path) {
  auto log = std::make_shared<const handled_log>(path);
  auto p = e.spawn_fn(
      [log](actor::context& ctx) {
        const auto* d = ctx.get_if<actor::dead_letter_event>();
        if (d == nullptr || d->message == nullptr) return;
        const auto* v = d->message->get_if<node::Visit>();
        if (v == nullptr) return;
        log->write(std::string(d->target.id()) + " " + std::string(actor::to_string(d->reason)) +
                   " " + std::to_string(v->seq()) + "\n");
      },
      "dead-letter-log");
  e.subscribe(p);
  return p;
}

namespace {

/// The members a printer starts from, sent after it subscribed so no change slips between.
struct members_snapshot {
  std::vector<cluster::member_info> members;
};

std::string_view describe(cluster::leave_reason r) {
  switch (r) {
    case cluster::leave_reason::graceful:
      return "left";
    case cluster::leave_reason::dead:
      return "was declared dead";
    case cluster::leave_reason::replaced:
      return "was replaced";
  }
  return "left";
}

}  // namespace

actor::pid spawn_membership_printer(actor::engine& e, const cluster::cluster& c) {
  // Keeps its own list from the events, so it never reads the cluster object (which goes away
  // before the engine does).
  auto p = e.spawn_fn(
      [self = c.name(), members = std::set<std::string>()](actor::context& ctx) mutable {
        std::string what;
        if (auto* snap = ctx.get_if<members_snapshot>()) {
          members.clear();
          for (const auto& m : snap->members)
            members.insert(m.name);
          what = "joined";
        } else if (const auto* j = ctx.get_if<cluster::member_joined_event>()) {
          members.insert(j->name);
          what = j->name + "#" + std::to_string(j->incarnation) + " joined from " + j->address;
        } else if (const auto* s = ctx.get_if<cluster::member_suspected_event>()) {
          what = s->name + "#" + std::to_string(s->incarnation) + " is suspected";
        } else if (const auto* l = ctx.get_if<cluster::member_left_event>()) {
          members.erase(l->name);
          what = l->name + "#" + std::to_string(l->incarnation) + " " +
                 std::string(describe(l->reason));
        } else {
          return;
        }
        std::string list;
        for (const auto& m : members)
          list += " " + m;
        std::printf("hollywood node %s: %s; members:%s\n", self.c_str(), what.c_str(),
                    list.c_str());
        std::fflush(stdout);
      },
      "membership-printer");
  e.subscribe(p);
  e.send(p, members_snapshot{c.members()});
  return p;
}

cluster::kind_config entity_kind(std::string member, std::string handled_log_path,
                                 std::function<std::uint64_t()> incarnation) {
  auto log = std::make_shared<const handled_log>(handled_log_path);
  return {"entity",
          [member = std::move(member), log, incarnation]() -> std::unique_ptr<actor::receiver> {
            return std::make_unique<entity>(member, log, incarnation);
          },
          {},
          {}};
}

}  // namespace hollywood::tools
