// SPDX-License-Identifier: MIT
#include "etcd_provider.hpp"

#include <hollywood/actor/log.hpp>
#include <hollywood/error.hpp>

#include "etcd_client.hpp"
#include "messages.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace hollywood::cluster::detail {
namespace {

using json = nlohmann::json;

/// How often a claim blocked by another holder is tried again without a deletion to wake it.
constexpr auto claim_retry = std::chrono::milliseconds(1000);

class etcd_provider final : public provider {
 public:
  explicit etcd_provider(cluster_impl* impl)
      : impl_(impl),
        root_(impl->config.etcd.prefix + "/" + impl->config.cluster_name + "/"),
        members_prefix_(root_ + "members/"),
        shards_prefix_(root_ + "shards/") {}

  ~etcd_provider() override { stop(); }

  std::error_code start() override {
    etcd_client c(impl_->config.etcd.endpoint);
    auto existing = c.range(members_prefix_);
    if (!existing) return fail("cannot read the members", existing.error());
    for (const auto& kv : existing->first) {
      auto m = parse_member(kv.value);
      if (m && m->second != impl_->config.shard_count) {
        actor::write_log(actor::log_level::error, "cluster: member " + m->first.name +
                                                      " uses shard count " +
                                                      std::to_string(m->second) + ", this member " +
                                                      std::to_string(impl_->config.shard_count) +
                                                      " (the shard count is fixed cluster-wide)");
        return make_error_code(errc::invalid_config);
      }
    }
    if (auto ec = register_member(c)) return ec;
    keeper_ = std::thread([this] { keep_alive(); });
    watcher_ = std::thread([this] { watch_members(); });
    claimer_ = std::thread([this] { run_claims(); });
    return {};
  }

  [[nodiscard]] bool needs_claims() const noexcept override { return true; }

  void claim(const std::string& kind, std::uint32_t shard) override {
    std::lock_guard lock(mu_);
    ops_.push_back({true, shard_key(kind, shard), kind, shard});
    cv_.notify_all();
  }

  void release(const std::string& kind, std::uint32_t shard) override {
    std::lock_guard lock(mu_);
    ops_.push_back({false, shard_key(kind, shard), kind, shard});
    cv_.notify_all();
  }

  void leave() override {
    std::int64_t lease = 0;
    {
      std::lock_guard lock(mu_);
      lease = lease_;
      lease_ = 0;
    }
    impl_->serve_until_ns.store(0, std::memory_order_relaxed);
    // Revoking deletes the member key and every claim at once: the others take over now.
    if (lease != 0) (void)etcd_client(impl_->config.etcd.endpoint).revoke(lease);
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      // release: pairs with the acquire loads in the watch stream's callback.
      stop_.store(true, std::memory_order_release);
      cv_.notify_all();
    }
    for (auto* t : {&keeper_, &watcher_, &claimer_}) {
      if (t->joinable()) t->join();
    }
  }

 private:
  struct op {
    bool claim = true;
    std::string key;
    std::string kind;
    std::uint32_t shard = 0;
  };

  std::error_code fail(const std::string& what, std::error_code ec) {
    actor::write_log(actor::log_level::error, "cluster: etcd at " + impl_->config.etcd.endpoint +
                                                  ": " + what + ": " + ec.message());
    return ec;
  }

  [[nodiscard]] std::string shard_key(const std::string& kind, std::uint32_t shard) const {
    return shards_prefix_ + kind + "/" + std::to_string(shard);
  }

  /// What a claim holds: member name and incarnation, so a restarted member does not mistake
  /// its previous life's claim (still bound to a live lease) for its own.
  [[nodiscard]] std::string claim_value() const {
    return impl_->name + "#" + std::to_string(impl_->incarnation.load(std::memory_order_relaxed));
  }

  std::optional<std::pair<member_info, std::uint32_t>> parse_member(const std::string& v) const {
    try {
      const json j = json::parse(v);
      member_info m;
      m.name = j.at("name").get<std::string>();
      m.address = j.at("address").get<std::string>();
      m.incarnation = j.at("incarnation").get<std::uint64_t>();
      m.kinds = j.at("kinds").get<std::vector<std::string>>();
      return std::pair{std::move(m), j.at("shards").get<std::uint32_t>()};
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }

  std::error_code register_member(etcd_client& c) {
    auto lease = c.grant(impl_->config.etcd.lease_ttl.count());
    if (!lease) return fail("cannot grant a lease", lease.error());
    json me{{"name", impl_->name},
            {"address", impl_->address},
            {"incarnation", impl_->incarnation.load(std::memory_order_relaxed)},
            {"kinds", json::array()},
            {"shards", impl_->config.shard_count}};
    for (const auto& k : impl_->config.kinds)
      me["kinds"].push_back(k.name);
    const auto granted_at = now_ns();
    if (auto ok = c.put(members_prefix_ + impl_->name, me.dump(), *lease); !ok) {
      return fail("cannot register", ok.error());
    }
    {
      std::lock_guard lock(mu_);
      lease_ = *lease;
    }
    open_fence(granted_at);
    return {};
  }

  void open_fence(std::int64_t since_ns) {
    const auto fence = std::chrono::nanoseconds(impl_->config.etcd.lease_fence).count();
    impl_->serve_until_ns.store(since_ns + fence, std::memory_order_relaxed);
  }

  bool wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [&] { return stop_.load(std::memory_order_relaxed); });
  }

  // -- keep-alive: one thread ---------------------------------------------------------------

  void keep_alive() {
    etcd_client c(impl_->config.etcd.endpoint, impl_->config.etcd.keepalive_interval);
    while (wait(impl_->config.etcd.keepalive_interval)) {
      std::int64_t lease = 0;
      {
        std::lock_guard lock(mu_);
        lease = lease_;
      }
      if (lease == 0) return;  // left
      const auto sent_at = now_ns();
      auto ttl = c.keepalive(lease);
      if (!ttl) continue;  // the fence closes by itself if this goes on
      if (*ttl > 0) {
        open_fence(sent_at);
        continue;
      }
      // The lease expired (we were frozen or cut off): everything we held is gone. Stop
      // serving, and come back as a new incarnation.
      impl_->serve_until_ns.store(0, std::memory_order_relaxed);
      const std::uint64_t fresh = impl_->fresh_incarnation();
      impl_->incarnation.store(fresh, std::memory_order_relaxed);
      actor::write_log(actor::log_level::warn,
                       "cluster: " + impl_->name +
                           " lost its etcd lease; rejoining as incarnation " +
                           std::to_string(fresh));
      impl_->engine.send(impl_->host, self_declared_dead{});
      {
        std::lock_guard lock(mu_);
        blocked_.clear();
      }
      while (register_member(c) && wait(impl_->config.etcd.keepalive_interval)) {
      }
    }
  }

  // -- membership: one thread ---------------------------------------------------------------

  void watch_members() {
    etcd_client c(impl_->config.etcd.endpoint);
    std::map<std::string, member_info> members;
    while (!stop_.load(std::memory_order_acquire)) {
      auto all = c.range(members_prefix_);
      if (!all) {
        if (!wait(std::chrono::milliseconds(200))) return;
        continue;
      }
      members.clear();
      for (const auto& kv : all->first) {
        if (auto m = parse_member(kv.value)) members[kv.key] = std::move(m->first);
      }
      publish(members);
      std::int64_t next = all->second + 1;
      // Stream from the revision after the read, so nothing between the two is missed.
      while (!stop_.load(std::memory_order_acquire)) {
        auto r = c.watch(
            root_, next,
            [&](std::vector<etcd_event>& events, std::int64_t rev) {
              bool changed = false;
              for (auto& e : events) {
                if (e.kv.key.rfind(members_prefix_, 0) == 0) {
                  changed = true;
                  if (e.deleted) {
                    members.erase(e.kv.key);
                  } else if (auto m = parse_member(e.kv.value)) {
                    members[e.kv.key] = std::move(m->first);
                  }
                } else if (e.deleted) {
                  released(e.kv.key);
                }
              }
              if (changed) publish(members);
              next = rev + 1;
              return true;
            },
            stop_);
        if (r) break;  // compacted: read everything again
        if (r.error() == errc::cancelled) return;
        if (r.error() != errc::unreachable) break;
        // A read timeout on a quiet stream, or a dropped connection: resume where we were.
      }
    }
  }

  void publish(const std::map<std::string, member_info>& members) {
    std::vector<member_info> view;
    const auto me = impl_->incarnation.load(std::memory_order_relaxed);
    for (const auto& [key, m] : members) {
      // Our own key counts only for this incarnation (an older one may linger until its lease
      // expires).
      if (m.name == impl_->name && m.incarnation != me) continue;
      view.push_back(m);
    }
    impl_->publish_view(std::move(view));
  }

  void released(const std::string& key) {
    std::lock_guard lock(mu_);
    if (blocked_.erase(key) > 0) cv_.notify_all();
  }

  // -- claims: one thread -------------------------------------------------------------------

  void run_claims() {
    etcd_client c(impl_->config.etcd.endpoint);
    std::map<std::string, op> waiting;  // claims blocked by another holder
    auto last_retry = clock::now();
    while (true) {
      std::deque<op> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, claim_retry, [&] {
          if (stop_.load(std::memory_order_relaxed) || !ops_.empty()) return true;
          for (const auto& [key, o] : waiting) {
            if (!blocked_.contains(key)) return true;  // its holder let go
          }
          return false;
        });
        if (stop_.load(std::memory_order_relaxed)) return;
        batch.swap(ops_);
        const bool periodic = clock::now() - last_retry >= claim_retry;
        for (auto it = waiting.begin(); it != waiting.end();) {
          if (periodic || !blocked_.contains(it->first)) {
            blocked_.erase(it->first);
            batch.push_back(std::move(it->second));
            it = waiting.erase(it);
          } else {
            ++it;
          }
        }
        if (periodic) last_retry = clock::now();
      }
      for (auto& o : batch) {
        if (!o.claim) {
          waiting.erase(o.key);
          (void)c.delete_if(o.key, claim_value());
          continue;
        }
        std::int64_t lease = 0;
        {
          std::lock_guard lock(mu_);
          lease = lease_;
        }
        if (lease == 0 || !impl_->may_serve()) {
          impl_->engine.send(impl_->host, claim_result{o.kind, o.shard, false});
          continue;
        }
        {
          // Marked before the attempt: a deletion seen while it runs clears the mark, and the
          // claim is tried again at once instead of waiting for a deletion that already passed.
          std::lock_guard lock(mu_);
          blocked_.insert(o.key);
        }
        auto r = c.create(o.key, claim_value(), lease);
        const bool won = r && (!r->has_value() || (*r)->value == claim_value());
        if (!r || won) {
          {
            std::lock_guard lock(mu_);
            blocked_.erase(o.key);
          }
          impl_->engine.send(impl_->host, claim_result{o.kind, o.shard, won});
          continue;
        }
        std::lock_guard lock(mu_);
        if (blocked_.contains(o.key)) {
          waiting[o.key] = std::move(o);
        } else {
          ops_.push_back(std::move(o));
        }
      }
    }
  }

  cluster_impl* impl_;  // owns this provider
  const std::string root_;
  const std::string members_prefix_;
  const std::string shards_prefix_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::int64_t lease_ = 0;         // guarded by mu_
  std::deque<op> ops_;             // guarded by mu_
  std::set<std::string> blocked_;  // guarded by mu_: claim keys held by someone else
  std::thread keeper_;
  std::thread watcher_;
  std::thread claimer_;
};

}  // namespace

std::unique_ptr<provider> make_etcd_provider(const std::shared_ptr<cluster_impl>& impl) {
  return std::make_unique<etcd_provider>(impl.get());
}

}  // namespace hollywood::cluster::detail
