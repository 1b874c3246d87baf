// SPDX-License-Identifier: MIT
// remote::collect_metrics: the remote's counters under Prometheus names (docs/operations.md).
#include <hollywood/remote/remote.hpp>

namespace hollywood::remote {

void remote::collect_metrics(actor::metric_sink& out) const {
  const remote_stats s = stats();
  auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t v,
                        actor::metric_labels labels = {}) {
    out.counter(name, help, labels, static_cast<double>(v));
  };
  // Each of these comes as two series, out and in.
  auto both_ways = [&counter](std::string_view name, std::string_view help, std::uint64_t sent,
                              std::uint64_t received) {
    counter(name, help, sent, {{"direction", "out"}});
    counter(name, help, received, {{"direction", "in"}});
  };
  both_ways("hollywood_remote_messages_total", "Messages carried to or from other engines",
            s.messages_sent, s.messages_received);
  both_ways("hollywood_remote_frames_total", "Frames written or read (batches, acks, hellos)",
            s.frames_sent, s.frames_received);
  both_ways("hollywood_remote_bytes_total", "Frame bytes written or read (before TLS)",
            s.bytes_sent, s.bytes_received);
  constexpr std::string_view open = "hollywood_remote_connections";
  constexpr std::string_view open_help = "Connections open now";
  out.gauge(open, open_help, {{"direction", "out"}}, static_cast<double>(s.outbound_connections));
  out.gauge(open, open_help, {{"direction", "in"}}, static_cast<double>(s.inbound_connections));
  counter("hollywood_remote_connects_total", "Outbound connections established", s.connects);
  counter("hollywood_remote_reconnects_total",
          "Outbound connections established to a peer connected to before", s.reconnects);
  counter("hollywood_remote_connections_accepted_total", "Inbound connections accepted",
          s.connections_accepted);
  counter("hollywood_remote_unreachable_total",
          "Peers declared unreachable (one remote_unreachable_event each)", s.unreachable_events);
  counter("hollywood_remote_protocol_errors_total",
          "Inbound connections closed for bad input (undecodable frames, broken protocol, failed "
          "TLS handshakes)",
          s.protocol_errors);
  constexpr std::string_view dead = "hollywood_remote_dead_letters_total";
  constexpr std::string_view dead_help =
      "Messages the remote turned into dead letters; in_doubt=\"true\": sent but unacknowledged "
      "when the connection broke (maybe delivered)";
  counter(dead, dead_help, s.dead_letters - s.dead_letters_maybe_delivered,
          {{"in_doubt", "false"}});
  counter(dead, dead_help, s.dead_letters_maybe_delivered, {{"in_doubt", "true"}});
}

}  // namespace hollywood::remote
