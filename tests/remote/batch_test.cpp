// SPDX-License-Identifier: MIT
#include "batch.hpp"

#include <hollywood/remote/type_registry.hpp>

#include "test_messages.pb.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace hollywood::remote::detail;
using hollywood::errc;
using hollywood::actor::message;
using hollywood::actor::pid;
using hollywood::test::Counter;
using hollywood::test::Greeting;
namespace wire = hollywood::remote::wire;

struct fixture : ::testing::Test {
  hollywood::remote::type_registry types;
  void SetUp() override {
    ASSERT_TRUE(types.add_protobuf<Greeting>());
    ASSERT_TRUE(types.add_protobuf<Counter>());
  }
  static Counter counter(std::uint64_t v) {
    Counter c;
    c.set_value(v);
    return c;
  }
};

using batch = fixture;

wire::Batch take(batch_builder& b) {
  wire::Batch w = b.stamp(1, 0, 0, 0);
  b.reset();
  return w;
}

TEST_F(batch, messages_targets_and_senders_round_trip_in_order) {
  batch_builder b(types);
  const pid target("10.0.0.2:9000", "echo/1");
  const pid sender("10.0.0.1:9000", "client/7");
  for (std::uint64_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.add(target, i % 2 ? sender : pid{}, message(counter(i))));
  }
  wire::Batch w = b.stamp(5, 11, 3, 2);
  b.reset();
  EXPECT_EQ(w.seq(), 5u);
  EXPECT_EQ(w.ack_session(), 11u);
  EXPECT_EQ(w.ack(), 3u);
  EXPECT_EQ(w.handled(), 2u);
  EXPECT_TRUE(b.empty());
  std::vector<incoming> got;
  ASSERT_TRUE(decode_batch(w, types, got));
  ASSERT_EQ(got.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].target, target);
    if (i % 2) {
      EXPECT_EQ(got[i].sender, sender);
    } else {
      EXPECT_FALSE(got[i].sender) << "an absent sender stays absent";
    }
    EXPECT_EQ(got[i].msg.get<Counter>().value(), i);
  }
}

TEST_F(batch, type_names_and_pids_appear_once_per_batch) {
  batch_builder b(types);
  const pid a("h:1", "a/1");
  const pid c("h:1", "c/1");
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(b.add(a, c, message(counter(1))));
  Greeting g;
  g.set_text("hi");
  ASSERT_TRUE(b.add(c, a, message(g)));
  wire::Batch w = take(b);
  EXPECT_EQ(w.types_size(), 2);
  EXPECT_EQ(w.pids_size(), 2);
  EXPECT_EQ(w.envelopes_size(), 101);
}

TEST_F(batch, a_builder_reused_for_many_batches_keeps_each_batch_self_contained) {
  batch_builder b(types);
  const pid self("h:2", "me/1");
  for (std::uint64_t round = 1; round <= 50; ++round) {
    const pid target("h:1", "t/" + std::to_string(round));
    for (std::uint64_t i = 0; i < round; ++i)
      ASSERT_TRUE(b.add(target, self, message(counter(round * 1000 + i))));
    if (round % 3 == 0) {
      Greeting g;
      g.set_text(std::string(round * 10, 'x'));
      ASSERT_TRUE(b.add(self, target, message(g)));
    }
    wire::Batch w = b.stamp(round, 0, 0, 0);
    b.reset();
    EXPECT_EQ(w.pids_size(), 2) << "round " << round;
    EXPECT_EQ(w.types_size(), round % 3 == 0 ? 2 : 1);
    std::vector<incoming> got;
    ASSERT_TRUE(decode_batch(w, types, got));
    ASSERT_EQ(got.size(), round + (round % 3 == 0 ? 1 : 0));
    for (std::uint64_t i = 0; i < round; ++i) {
      EXPECT_EQ(got[i].target, target);
      EXPECT_EQ(got[i].sender, self);
      EXPECT_EQ(got[i].msg.get<Counter>().value(), round * 1000 + i);
    }
    if (round % 3 == 0) {
      EXPECT_EQ(got.back().msg.get<Greeting>().text().size(), round * 10);
    }
  }
}

TEST_F(batch, equal_pids_made_separately_share_one_table_entry) {
  batch_builder b(types);
  for (int i = 0; i < 300; ++i)  // past the index's first growth
    ASSERT_TRUE(
        b.add(pid("h:1", "x/" + std::to_string(i % 150)), pid("h:9", "s/1"), message(counter(1))));
  wire::Batch w = take(b);
  EXPECT_EQ(w.pids_size(), 151);
  std::vector<incoming> got;
  ASSERT_TRUE(decode_batch(w, types, got));
  EXPECT_EQ(got[299].target.id(), "x/149");
}

TEST_F(batch, an_unregistered_type_is_refused_when_added) {
  batch_builder b(types);
  auto r = b.add(pid("h:1", "a/1"), pid{}, message(42));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::unknown_type);
  EXPECT_TRUE(b.empty());
}

TEST_F(batch, an_index_out_of_range_is_a_protocol_error_and_nothing_is_delivered) {
  batch_builder b(types);
  ASSERT_TRUE(b.add(pid("h:1", "a/1"), pid{}, message(counter(1))));
  ASSERT_TRUE(b.add(pid("h:1", "a/1"), pid{}, message(counter(2))));
  wire::Batch w = take(b);
  w.mutable_envelopes(1)->set_target(5);
  std::vector<incoming> out;
  auto r = decode_batch(w, types, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::protocol_error);
  EXPECT_TRUE(out.empty());
  w.mutable_envelopes(1)->set_target(0);
  w.mutable_envelopes(1)->set_sender(9);
  EXPECT_EQ(decode_batch(w, types, out).error(), errc::protocol_error);
  EXPECT_TRUE(out.empty());
  w.mutable_envelopes(1)->set_sender(0);
  w.mutable_envelopes(1)->set_type(3);
  EXPECT_EQ(decode_batch(w, types, out).error(), errc::protocol_error);
  EXPECT_TRUE(out.empty());
}

TEST_F(batch, an_unknown_type_name_is_rejected) {
  batch_builder b(types);
  ASSERT_TRUE(b.add(pid("h:1", "a/1"), pid{}, message(counter(1))));
  wire::Batch w = take(b);
  w.set_types(0, "evil.Type");
  std::vector<incoming> out;
  auto r = decode_batch(w, types, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::unknown_type);
}

TEST_F(batch, a_malformed_payload_or_an_empty_pid_is_rejected) {
  batch_builder b(types);
  ASSERT_TRUE(b.add(pid("h:1", "a/1"), pid{}, message(counter(1))));
  wire::Batch w = take(b);
  w.mutable_envelopes(0)->set_payload(std::string("\xff\xff\xff", 3));
  std::vector<incoming> out;
  EXPECT_EQ(decode_batch(w, types, out).error(), errc::invalid_argument);
  batch_builder b2(types);
  ASSERT_TRUE(b2.add(pid("h:1", "a/1"), pid{}, message(counter(1))));
  wire::Batch w2 = take(b2);
  w2.mutable_pids(0)->set_id("");
  EXPECT_EQ(decode_batch(w2, types, out).error(), errc::protocol_error);
}

}  // namespace
