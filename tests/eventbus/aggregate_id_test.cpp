// SPDX-License-Identifier: MIT
#include "aggregate_id.hpp"

#include <gtest/gtest.h>

namespace {

using namespace hollywood::eventbus::kafka;
using detail::find_aggregate_id;

const aggregate_id_config defaults{};

TEST(aggregate_id, envelope_field_wins_over_header_and_key) {
  const std::string key = "key-1";
  auto r = find_aggregate_id(defaults, R"({"aggregateId":"order-7","seq":1})",
                             {{"aggregate-id", "from-header"}}, &key);
  EXPECT_EQ(r.id, "order-7");
  EXPECT_EQ(r.source, aggregate_source::envelope);
  EXPECT_TRUE(r.malformed.empty());
  auto n = find_aggregate_id(defaults, R"({"aggregateId":42})", {}, nullptr);
  EXPECT_EQ(n.id, "42");
}

TEST(aggregate_id, header_wins_over_key_and_the_last_header_counts) {
  const std::string key = "key-1";
  auto r = find_aggregate_id(defaults, R"({"other":1})",
                             {{"aggregate-id", "first"}, {"aggregate-id", "second"}}, &key);
  EXPECT_EQ(r.id, "second");
  EXPECT_EQ(r.source, aggregate_source::header);
}

TEST(aggregate_id, key_is_the_last_resort_and_none_is_unordered) {
  const std::string key = "key-1";
  auto r = find_aggregate_id(defaults, "plain text payload", {}, &key);
  EXPECT_EQ(r.id, "key-1");
  EXPECT_EQ(r.source, aggregate_source::key);
  auto none = find_aggregate_id(defaults, "plain", {{"other", "x"}}, nullptr);
  EXPECT_TRUE(none.id.empty());
  EXPECT_EQ(none.source, aggregate_source::none);
  EXPECT_TRUE(none.malformed.empty());
  const std::string empty;
  EXPECT_EQ(find_aggregate_id(defaults, "plain", {}, &empty).source, aggregate_source::none);
}

TEST(aggregate_id, broken_envelopes_are_malformed) {
  EXPECT_FALSE(
      find_aggregate_id(defaults, R"({"aggregateId": "x")", {}, nullptr).malformed.empty());
  EXPECT_FALSE(
      find_aggregate_id(defaults, R"({"aggregateId": [1]})", {}, nullptr).malformed.empty());
  EXPECT_FALSE(
      find_aggregate_id(defaults, R"({"aggregateId": ""})", {}, nullptr).malformed.empty());
  // Not an envelope at all: an opaque payload, not malformed.
  EXPECT_TRUE(find_aggregate_id(defaults, "[1,2]", {}, nullptr).malformed.empty());
}

TEST(aggregate_id, configured_names_are_used_and_empty_ones_switch_a_source_off) {
  aggregate_id_config cfg;
  cfg.envelope_field = "entity";
  cfg.header = "";
  const std::string key = "k";
  auto r =
      find_aggregate_id(cfg, R"({"aggregateId":"a","entity":"e"})", {{"aggregate-id", "h"}}, &key);
  EXPECT_EQ(r.id, "e");
  auto h = find_aggregate_id(cfg, R"({"x":1})", {{"aggregate-id", "h"}}, &key);
  EXPECT_EQ(h.id, "k");
  cfg.envelope_field = "";
  EXPECT_TRUE(find_aggregate_id(cfg, "{broken", {}, &key).malformed.empty());
}

}  // namespace
