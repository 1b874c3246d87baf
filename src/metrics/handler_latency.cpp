// SPDX-License-Identifier: MIT
#include <hollywood/actor/context.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/metrics/handler_latency.hpp>
#include <hollywood/thread_annotations.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace hollywood::metrics {

namespace {

constexpr std::array<double, 23> bounds_seconds = {
    1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4,
    1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1,  0.25,   0.5,  1.0,  10.0};

/// The bounds in whole nanoseconds, for the hot path's comparisons.
constexpr std::array<std::int64_t, bounds_seconds.size()> bounds_ns = [] {
  std::array<std::int64_t, bounds_seconds.size()> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i)
    ns[i] = static_cast<std::int64_t>(bounds_seconds[i] * 1e9 + 0.5);
  return ns;
}();

constexpr std::size_t bucket_count = bounds_seconds.size() + 1;  // the last: above every bound

// relaxed: only makes keys unique; see thread_cache.
std::atomic<std::uint64_t> next_kind_key{1};

}  // namespace

namespace detail {

/// One thread's counts for one kind. Only that thread writes (one handler at a time runs on a
/// thread), so each update is a relaxed load and store, no read-modify-write; a scrape reads
/// them relaxed (each value stands alone; a scrape may see a run's bucket before its sum).
struct latency_shard {
  std::array<std::atomic<std::uint64_t>, bucket_count> counts{};
  std::atomic<std::uint64_t> sum_ns{0};

  void observe(std::int64_t ns) noexcept {
    std::size_t b = 0;
    while (b < bounds_ns.size() && ns > bounds_ns[b])
      ++b;
    auto bump = [](std::atomic<std::uint64_t>& a, std::uint64_t by) {
      a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    };
    bump(counts[b], 1);
    bump(sum_ns, static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)));
  }
};

/// One kind's histogram: a shard per thread that timed one of its messages. Shards are never
/// removed, so totals only grow.
struct kind_histogram {
  explicit kind_histogram(std::string k) : kind(std::move(k)) {}

  const std::string kind;
  const std::uint64_t key = next_kind_key.fetch_add(1, std::memory_order_relaxed);
  std::mutex mu;
  std::map<std::thread::id, std::unique_ptr<latency_shard>> shards HOLLYWOOD_GUARDED_BY(mu);

  /// The calling thread's shard: from a small per-thread cache, else found or made under the
  /// lock (once per thread and kind, while the cache holds it).
  latency_shard& local() {
    struct entry {
      std::uint64_t key = 0;
      latency_shard* shard = nullptr;
    };
    thread_local std::array<entry, 8> cache{};
    thread_local std::size_t victim = 0;
    for (const entry& e : cache) {
      if (e.key == key) return *e.shard;
    }
    latency_shard* s = nullptr;
    {
      std::lock_guard lock(mu);
      auto& slot = shards[std::this_thread::get_id()];
      if (!slot) slot = std::make_unique<latency_shard>();
      s = slot.get();
    }
    // Keys are never reused, so an entry of a histogram that is gone can never match.
    cache[victim] = {key, s};
    victim = (victim + 1) % cache.size();
    return *s;
  }
};

struct latency_state {
  explicit latency_state(latency_sampling s) : sampling(s) {
    sampling.every = std::max<std::uint32_t>(1, sampling.every);
  }

  latency_sampling sampling;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<kind_histogram>, std::less<>> kinds
      HOLLYWOOD_GUARDED_BY(mu);

  kind_histogram& kind(std::string_view name) {
    std::lock_guard lock(mu);
    auto it = kinds.find(name);
    if (it == kinds.end()) {
      it = kinds.emplace(std::string(name), std::make_unique<kind_histogram>(std::string(name)))
               .first;
    }
    return *it->second;
  }
};

namespace {

/// The receive function the middleware builds for one actor instance (the actor's handlers never
/// run concurrently, so its mutable state needs no synchronisation).
class timed_receive {
 public:
  timed_receive(std::shared_ptr<latency_state> state, actor::receive_fn next)
      : state_(std::move(state)), next_(std::move(next)) {}

  void operator()(actor::context& ctx) {
    if (--countdown_ != 0) [[likely]] {
      next_(ctx);
      return;
    }
    sample(ctx);
  }

 private:
  // Out of line, so the path every other message takes stays a decrement and a call.
  [[gnu::noinline]] void sample(actor::context& ctx) {
    if (ctx.is<actor::initialized>() || ctx.is<actor::started>() || ctx.is<actor::stopped>()) {
      countdown_ = 1;  // time the first real message instead
      next_(ctx);
      return;
    }
    if (histogram_ == nullptr) histogram_ = &state_->kind(ctx.kind());
    // Set before the handler runs: if it throws, sampling goes on from here.
    countdown_ = state_->sampling.every;
    const auto start = std::chrono::steady_clock::now();
    next_(ctx);
    const auto end = std::chrono::steady_clock::now();
    histogram_->local().observe(std::chrono::nanoseconds(end - start).count());
    // The actor's start counts as a quiet period: its first messages are timed until it is busy.
    // (No last run is a quiet period of its own: the clock's epoch may be minutes ago, at boot.)
    const bool first = last_end_ == std::chrono::steady_clock::time_point{};
    if (first || start - last_end_ > state_->sampling.quiet_gap) countdown_ = 1;
    last_end_ = end;
  }

  std::shared_ptr<latency_state> state_;
  actor::receive_fn next_;
  kind_histogram* histogram_ = nullptr;  // resolved at the first timed message
  std::uint32_t countdown_ = 1;
  std::chrono::steady_clock::time_point last_end_{};  // of the last timed run
};

/// What a scrape shows: each kind's shards added up.
void report(latency_state& state, actor::metric_sink& out) {
  constexpr std::string_view name = "hollywood_actor_handler_seconds";
  constexpr std::string_view help =
      "Time handlers of the kind took, over a uniform sample of their messages";
  out.declare(name, help, actor::metric_type::histogram);
  std::lock_guard lock(state.mu);
  for (const auto& [kind, h] : state.kinds) {
    std::array<std::uint64_t, bucket_count> counts{};
    std::uint64_t sum_ns = 0;
    {
      std::lock_guard shards_lock(h->mu);
      for (const auto& [thread, shard] : h->shards) {
        for (std::size_t b = 0; b < bucket_count; ++b)
          counts[b] += shard->counts[b].load(std::memory_order_relaxed);
        sum_ns += shard->sum_ns.load(std::memory_order_relaxed);
      }
    }
    out.histogram(name, help, {{"kind", kind}}, bounds_seconds, counts,
                  static_cast<double>(sum_ns) / 1e9);
  }
}

}  // namespace

}  // namespace detail

std::span<const double> handler_latency_buckets() noexcept {
  return bounds_seconds;
}

handler_latency::handler_latency(registry& reg, latency_sampling sampling)
    : state_(std::make_shared<detail::latency_state>(sampling)),
      served_(reg.add_source(
          [state = state_](actor::metric_sink& out) { detail::report(*state, out); })) {}

handler_latency::~handler_latency() = default;

actor::middleware handler_latency::middleware() const {
  return [state = state_](actor::receive_fn next) -> actor::receive_fn {
    return detail::timed_receive(state, std::move(next));
  };
}

void handler_latency::collect(actor::metric_sink& out) const {
  detail::report(*state_, out);
}

}  // namespace hollywood::metrics
