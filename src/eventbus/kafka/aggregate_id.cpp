// SPDX-License-Identifier: MIT
#include "aggregate_id.hpp"

#include <nlohmann/json.hpp>

namespace hollywood::eventbus::kafka::detail {

namespace {

bool looks_like_object(std::string_view v) {
  const auto first = v.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && v[first] == '{';
}

}  // namespace

aggregate_lookup find_aggregate_id(const aggregate_id_config& cfg, std::string_view value,
                                   const headers& hdrs, const std::string* key) {
  aggregate_lookup out;
  if (!cfg.envelope_field.empty() && looks_like_object(value)) {
    auto doc = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      out.malformed = "envelope is not valid JSON";
      return out;
    }
    if (auto it = doc.find(cfg.envelope_field); it != doc.end()) {
      if (it->is_string() && !it->get_ref<const std::string&>().empty()) {
        out.id = it->get<std::string>();
      } else if (it->is_number_integer()) {
        out.id = it->dump();
      } else {
        out.malformed =
            "envelope field '" + cfg.envelope_field + "' is not a non-empty string or an integer";
        return out;
      }
      out.source = aggregate_source::envelope;
      return out;
    }
  }
  if (!cfg.header.empty()) {
    // The last occurrence wins, as with Kafka's own header lookups.
    for (auto it = hdrs.rbegin(); it != hdrs.rend(); ++it) {
      if (it->key == cfg.header && !it->value.empty()) {
        out.id = it->value;
        out.source = aggregate_source::header;
        return out;
      }
    }
  }
  if (key != nullptr && !key->empty()) {
    out.id = *key;
    out.source = aggregate_source::key;
  }
  return out;
}

}  // namespace hollywood::eventbus::kafka::detail
