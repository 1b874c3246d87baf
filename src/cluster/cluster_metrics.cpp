// SPDX-License-Identifier: MIT
// cluster::collect_metrics: the member's view and counters under Prometheus names
// (docs/operations.md).
#include <hollywood/cluster/cluster.hpp>

namespace hollywood::cluster {

void cluster::collect_metrics(actor::metric_sink& out) const {
  const cluster_stats s = stats();
  std::uint64_t alive = 0;
  std::uint64_t suspect = 0;
  for (const member_info& m : members()) {
    ++(m.status == member_status::suspect ? suspect : alive);
  }
  constexpr std::string_view members_name = "hollywood_cluster_members";
  constexpr std::string_view members_help = "Members in this member's view, by status";
  out.gauge(members_name, members_help, {{"status", "alive"}}, static_cast<double>(alive));
  out.gauge(members_name, members_help, {{"status", "suspect"}}, static_cast<double>(suspect));
  out.gauge("hollywood_cluster_serving",
            "1 while the provider lets this member serve shards (its fence is open), else 0", {},
            serving() ? 1.0 : 0.0);
  out.gauge("hollywood_cluster_shards_owned", "Shards (over all kinds) this member serves now", {},
            static_cast<double>(s.shards_owned));
  auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t v) {
    out.counter(name, help, {}, static_cast<double>(v));
  };
  counter("hollywood_cluster_activations_total", "Identities activated on this member",
          s.activations);
  counter("hollywood_cluster_passivations_total", "Activations stopped after their kind's idle TTL",
          s.passivations);
  counter("hollywood_cluster_failovers_total",
          "Shards taken over from a member that left the view without handing them off",
          s.failovers);
  counter("hollywood_cluster_shards_acquired_total", "Shards this member started serving",
          s.shards_acquired);
  counter("hollywood_cluster_shards_released_total", "Shards this member handed off",
          s.shards_released);
  counter("hollywood_cluster_messages_forwarded_total",
          "Messages passed on to the member owning their identity", s.forwarded);
  counter("hollywood_cluster_dead_letters_total",
          "Messages that found no owner in time, or no room to wait for one", s.dead_letters);
}

}  // namespace hollywood::cluster
