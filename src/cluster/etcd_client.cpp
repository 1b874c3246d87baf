// SPDX-License-Identifier: MIT
#include "etcd_client.hpp"

#include <hollywood/error.hpp>

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace hollywood::cluster::detail {
namespace {

using json = nlohmann::json;

constexpr char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (static_cast<std::uint8_t>(in[i]) << 16) |
                            (static_cast<std::uint8_t>(in[i + 1]) << 8) |
                            static_cast<std::uint8_t>(in[i + 2]);
    out.push_back(b64_chars[(v >> 18) & 63]);
    out.push_back(b64_chars[(v >> 12) & 63]);
    out.push_back(b64_chars[(v >> 6) & 63]);
    out.push_back(b64_chars[v & 63]);
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<std::uint8_t>(in[i + 1]) << 8;
    out.push_back(b64_chars[(v >> 18) & 63]);
    out.push_back(b64_chars[(v >> 12) & 63]);
    out.push_back(rest == 2 ? b64_chars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string unb64(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(b64_chars, c);
    if (c == '=' || c == '\0' || p == nullptr) break;
    acc = (acc << 6) | static_cast<std::uint32_t>(p - b64_chars);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::int64_t num(const json& j, const char* field) {
  // The gateway writes int64 as strings and omits zeros.
  auto it = j.find(field);
  if (it == j.end()) return 0;
  if (it->is_string()) return std::stoll(it->get<std::string>());
  if (it->is_number()) return it->get<std::int64_t>();
  return 0;
}

etcd_kv to_kv(const json& j) {
  etcd_kv kv;
  kv.key = unb64(j.value("key", ""));
  kv.value = unb64(j.value("value", ""));
  kv.mod_revision = num(j, "mod_revision");
  kv.lease = num(j, "lease");
  return kv;
}

}  // namespace

std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

struct etcd_client::impl {
  explicit impl(const std::string& endpoint, std::chrono::milliseconds timeout) : http(endpoint) {
    http.set_connection_timeout(timeout);
    http.set_read_timeout(timeout);
    http.set_write_timeout(timeout);
    http.set_keep_alive(true);
    // Requests go out as header and body writes: without this, Nagle and delayed ACKs add
    // 40 ms to every call.
    http.set_tcp_nodelay(true);
  }

  expected<json> post(const std::string& path, const json& body) {
    auto res = http.Post(path, body.dump(), "application/json");
    if (!res) return unexpected(errc::unreachable);
    try {
      json j = json::parse(res->body);
      if (res->status != 200 || j.contains("error")) return unexpected(errc::protocol_error);
      return j;
    } catch (const json::exception&) {
      return unexpected(errc::protocol_error);
    }
  }

  httplib::Client http;
};

etcd_client::etcd_client(const std::string& endpoint, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(endpoint, timeout)) {}

etcd_client::~etcd_client() = default;

expected<std::int64_t> etcd_client::grant(std::int64_t ttl_seconds) {
  auto r = impl_->post("/v3/lease/grant", {{"TTL", ttl_seconds}});
  if (!r) return unexpected(r.error());
  const std::int64_t id = num(*r, "ID");
  if (id == 0) return unexpected(errc::protocol_error);
  return id;
}

expected<std::int64_t> etcd_client::keepalive(std::int64_t lease) {
  auto r = impl_->post("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
  if (!r) return unexpected(r.error());
  // An expired lease answers without "TTL".
  return num(r->value("result", json::object()), "TTL");
}

expected<void> etcd_client::revoke(std::int64_t lease) {
  auto r = impl_->post("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
  if (!r) return unexpected(r.error());
  return {};
}

expected<void> etcd_client::put(const std::string& key, const std::string& value,
                                std::int64_t lease) {
  json body{{"key", b64(key)}, {"value", b64(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  auto r = impl_->post("/v3/kv/put", body);
  if (!r) return unexpected(r.error());
  return {};
}

expected<std::pair<std::vector<etcd_kv>, std::int64_t>> etcd_client::range(
    const std::string& prefix) {
  auto r =
      impl_->post("/v3/kv/range", {{"key", b64(prefix)}, {"range_end", b64(prefix_end(prefix))}});
  if (!r) return unexpected(r.error());
  std::vector<etcd_kv> kvs;
  for (const auto& kv : r->value("kvs", json::array()))
    kvs.push_back(to_kv(kv));
  return std::pair{std::move(kvs), num(r->value("header", json::object()), "revision")};
}

expected<std::optional<etcd_kv>> etcd_client::create(const std::string& key,
                                                     const std::string& value, std::int64_t lease) {
  json put{{"key", b64(key)}, {"value", b64(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  json body{{"compare", json::array({{{"key", b64(key)},
                                      {"target", "CREATE"},
                                      {"result", "EQUAL"},
                                      {"create_revision", "0"}}})},
            {"success", json::array({{{"request_put", put}}})},
            {"failure", json::array({{{"request_range", {{"key", b64(key)}}}}})}};
  auto r = impl_->post("/v3/kv/txn", body);
  if (!r) return unexpected(r.error());
  if (r->value("succeeded", false)) return std::optional<etcd_kv>{};
  for (const auto& resp : r->value("responses", json::array())) {
    const auto range = resp.value("response_range", json::object());
    for (const auto& kv : range.value("kvs", json::array()))
      return std::optional(to_kv(kv));
  }
  // Deleted between the compare and the read: report a holder-less refusal; the caller retries.
  return std::optional<etcd_kv>(etcd_kv{key, {}, 0, 0});
}

expected<void> etcd_client::delete_if(const std::string& key, const std::string& value) {
  json body{
      {"compare",
       json::array(
           {{{"key", b64(key)}, {"target", "VALUE"}, {"result", "EQUAL"}, {"value", b64(value)}}})},
      {"success", json::array({{{"request_delete_range", {{"key", b64(key)}}}}})}};
  auto r = impl_->post("/v3/kv/txn", body);
  if (!r) return unexpected(r.error());
  return {};
}

expected<std::int64_t> etcd_client::watch(
    const std::string& prefix, std::int64_t start_revision,
    const std::function<bool(std::vector<etcd_event>&, std::int64_t)>& on_events,
    const std::atomic<bool>& stop) {
  json create{{"key", b64(prefix)},
              {"range_end", b64(prefix_end(prefix))},
              {"start_revision", std::to_string(start_revision)}};
  httplib::Request req;
  req.method = "POST";
  req.path = "/v3/watch";
  req.body = json{{"create_request", create}}.dump();
  req.set_header("Content-Type", "application/json");
  std::string buffer;
  std::int64_t compacted = 0;
  bool failed = false;
  // One JSON object per line; the read timeout lets the caller see `stop` now and then.
  req.content_receiver = [&](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
    // acquire: pairs with the release store of whoever stops the provider.
    if (stop.load(std::memory_order_acquire)) return false;
    buffer.append(data, len);
    std::size_t nl = 0;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      const std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.empty()) continue;
      json j;
      try {
        j = json::parse(line);
      } catch (const json::exception&) {
        failed = true;
        return false;
      }
      const json result = j.value("result", json::object());
      if (result.value("canceled", false)) {
        compacted = num(result, "compact_revision");
        if (compacted == 0) failed = true;
        return false;
      }
      std::vector<etcd_event> events;
      for (const auto& e : result.value("events", json::array())) {
        events.push_back({e.value("type", std::string("PUT")) == "DELETE",
                          to_kv(e.value("kv", json::object()))});
      }
      const std::int64_t rev = num(result.value("header", json::object()), "revision");
      if (!events.empty() && !on_events(events, rev)) return false;
    }
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  impl_->http.send(req, res, err);
  if (compacted != 0) return compacted;
  if (stop.load(std::memory_order_acquire)) return unexpected(errc::cancelled);
  if (failed) return unexpected(errc::protocol_error);
  return unexpected(errc::unreachable);
}

}  // namespace hollywood::cluster::detail
