// SPDX-License-Identifier: MIT
#include <hollywood/remote/type_registry.hpp>

#include "test_messages.pb.h"

#include <gtest/gtest.h>

namespace {

using hollywood::actor::message;
using hollywood::remote::type_registry;

struct tick {
  int seq;
  double at;
};
struct other {
  int x;
};

TEST(type_registry, a_protobuf_type_is_registered_under_its_full_name) {
  type_registry types;
  ASSERT_TRUE(types.add_protobuf<hollywood::test::Greeting>());
  auto c = types.by_name("hollywood.test.Greeting");
  ASSERT_TRUE(c);
  EXPECT_EQ(c, types.by_type(message::type_id_of<hollywood::test::Greeting>()));
}

TEST(type_registry, registering_the_same_type_twice_is_harmless) {
  type_registry types;
  ASSERT_TRUE(types.add_protobuf<hollywood::test::Greeting>());
  EXPECT_TRUE(types.add_protobuf<hollywood::test::Greeting>());
  ASSERT_TRUE(types.add<tick>("demo.tick"));
  EXPECT_TRUE(types.add<tick>("demo.tick"));
}

TEST(type_registry, two_types_under_one_name_or_one_type_under_two_names_conflict) {
  type_registry types;
  ASSERT_TRUE(types.add<tick>("demo.tick"));
  auto same_name = types.add<other>("demo.tick");
  ASSERT_FALSE(same_name);
  EXPECT_EQ(same_name.error(), hollywood::errc::invalid_argument);
  EXPECT_FALSE(types.add<tick>("demo.tick2"));
  EXPECT_FALSE(types.by_name("demo.tick2"));
}

TEST(type_registry, an_unregistered_type_is_not_found) {
  type_registry types;
  EXPECT_FALSE(types.by_name("nobody.Nothing"));
  EXPECT_FALSE(types.by_type(message::type_id_of<tick>()));
}

TEST(codec, a_protobuf_message_round_trips) {
  type_registry types;
  ASSERT_TRUE(types.add_protobuf<hollywood::test::Greeting>());
  hollywood::test::Greeting g;
  g.set_text("hello");
  g.set_n(7);
  auto c = types.by_name("hollywood.test.Greeting");
  std::string bytes;
  ASSERT_TRUE(c->encode(message(g), bytes));
  auto back = c->decode(bytes);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->is<hollywood::test::Greeting>());
  EXPECT_EQ(back->get<hollywood::test::Greeting>().text(), "hello");
  EXPECT_EQ(back->get<hollywood::test::Greeting>().n(), 7);
}

TEST(codec, malformed_protobuf_bytes_are_rejected) {
  type_registry types;
  ASSERT_TRUE(types.add_protobuf<hollywood::test::Greeting>());
  auto c = types.by_name("hollywood.test.Greeting");
  const std::string garbage("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
  EXPECT_FALSE(c->decode(garbage));
}

TEST(codec, a_trivial_codec_copies_bytes_and_checks_the_size) {
  type_registry types;
  ASSERT_TRUE(types.add<tick>("demo.tick"));
  auto c = types.by_name("demo.tick");
  std::string bytes;
  ASSERT_TRUE(c->encode(message(tick{3, 1.5}), bytes));
  EXPECT_EQ(bytes.size(), sizeof(tick));
  auto back = c->decode(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->get<tick>().seq, 3);
  EXPECT_FALSE(c->decode(bytes.substr(1)));
  EXPECT_FALSE(c->encode(message(other{1}), bytes));  // not its type
}

}  // namespace
