// SPDX-License-Identifier: MIT
#pragma once

// A small client for etcd's v3 JSON gateway (keys and values are base64 in JSON, int64s come
// back as strings, fields with default values are omitted). Blocking: run it on its own threads,
// never on engine workers. One client per thread (each keeps its own HTTP connection).

#include <hollywood/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hollywood::cluster::detail {

struct etcd_kv {
  std::string key;
  std::string value;
  std::int64_t mod_revision = 0;
  std::int64_t lease = 0;
};

struct etcd_event {
  bool deleted = false;
  etcd_kv kv;
};

/// Errors: `errc::unreachable` (no HTTP answer), `errc::protocol_error` (an error answer or JSON
/// that does not parse), `errc::cancelled` (a watch stopped by its stop flag).
/// @confined to one thread at a time
class etcd_client {
 public:
  explicit etcd_client(const std::string& endpoint,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~etcd_client();
  etcd_client(const etcd_client&) = delete;
  etcd_client& operator=(const etcd_client&) = delete;

  /// Grants a lease; returns its ID.
  expected<std::int64_t> grant(std::int64_t ttl_seconds);
  /// Refreshes a lease; returns its remaining TTL, 0 if the lease is gone.
  expected<std::int64_t> keepalive(std::int64_t lease);
  expected<void> revoke(std::int64_t lease);
  expected<void> put(const std::string& key, const std::string& value, std::int64_t lease);
  /// Every key under `prefix`, and the store's revision at the time of the read.
  expected<std::pair<std::vector<etcd_kv>, std::int64_t>> range(const std::string& prefix);
  /// Creates `key` if absent (bound to `lease`); returns nullopt on success, else the holder's kv.
  expected<std::optional<etcd_kv>> create(const std::string& key, const std::string& value,
                                          std::int64_t lease);
  /// Deletes `key` if its value is still `value`.
  expected<void> delete_if(const std::string& key, const std::string& value);
  /// Streams the changes under `prefix` from `start_revision` until `on_events` returns false,
  /// `stop` is set, or the stream fails. Returns the compaction revision if the start revision
  /// was compacted away (the caller must read everything again).
  expected<std::int64_t> watch(
      const std::string& prefix, std::int64_t start_revision,
      const std::function<bool(std::vector<etcd_event>&, std::int64_t)>& on_events,
      const std::atomic<bool>& stop);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The key just past every key that starts with `prefix` (etcd's range_end for a prefix).
[[nodiscard]] std::string prefix_end(std::string prefix);

}  // namespace hollywood::cluster::detail
