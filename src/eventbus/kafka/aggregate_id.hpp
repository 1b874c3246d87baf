// SPDX-License-Identifier: MIT
#pragma once

// Which aggregate a record belongs to: a JSON envelope's field, else a header, else the record
// key (DESIGN §5). A value that starts like a JSON object is an envelope; other values are
// opaque payloads and fall through to the header and the key. A broken envelope (invalid JSON,
// the field present but not a non-empty string or an integer) is malformed.

#include <hollywood/eventbus/kafka/config.hpp>
#include <hollywood/eventbus/kafka/record.hpp>

#include <string>
#include <string_view>

namespace hollywood::eventbus::kafka::detail {

struct aggregate_lookup {
  std::string id;
  aggregate_source source = aggregate_source::none;
  /// Non-empty: the envelope is malformed, and why.
  std::string malformed;
};

aggregate_lookup find_aggregate_id(const aggregate_id_config& cfg, std::string_view value,
                                   const headers& hdrs, const std::string* key);

}  // namespace hollywood::eventbus::kafka::detail
