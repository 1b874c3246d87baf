// SPDX-License-Identifier: MIT
// number_table: engine-numbered IDs found by number, runs of numbers per thread, reservations by
// user-named look-alikes, and pages freed once their run is over and their actors left.
#include "number_table.hpp"

#include <hollywood/actor/pid.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using hollywood::actor::pid;
using hollywood::actor::detail::number_table;
using hollywood::actor::detail::pid_target;

constexpr std::uint64_t page = number_table::page_numbers;

/// A registrable target named `id`; the test keeps one reference, the table gets another.
struct entry {
  explicit entry(const std::string& id) : handle("test", id) {}
  pid_target* adopt() {
    handle.target()->add_ref();  // the table's reference
    return handle.target();
  }
  pid handle;
};

std::string id_of(std::uint64_t number) {
  return "svc/" + std::to_string(number);
}

/// What one thread's publishing left: the entries it made, and each number's key (0: refused).
struct published {
  std::vector<std::unique_ptr<entry>> entries;
  std::vector<std::uint64_t> keys;
};

/// Publishes every number from 1 to `count` from one run on this thread, calling `after(n)`
/// once `n` is published or refused.
template <class F>
published publish_up_to(number_table& table, std::uint64_t count, F after) {
  published out{std::vector<std::unique_ptr<entry>>(count + 1),
                std::vector<std::uint64_t>(count + 1, 0)};
  std::atomic<std::uint64_t> runs{0};
  number_table::run r;
  for (std::uint64_t n = table.take(r, runs); n <= count; n = table.take(r, runs)) {
    out.entries[n] = std::make_unique<entry>(id_of(n));
    out.keys[n] = table.publish(r, n, out.entries[n]->adopt());
    if (out.keys[n] == 0) out.entries[n]->handle.target()->release();  // refused: not adopted
    after(n);
  }
  return out;
}

/// Unregisters what `p` published and drops `reservations[n]` reservations of each number.
void clear(number_table& table, published& p, const std::vector<int>& reservations) {
  for (std::uint64_t n = 1; n < p.keys.size(); ++n) {
    if (p.keys[n] != 0) {
      ASSERT_TRUE(table.remove(p.entries[n]->handle.target(), p.keys[n]));
      p.entries[n]->handle.target()->release();
    }
    for (int k = 0; k < reservations[n]; ++k)
      table.unreserve(n);
  }
}

TEST(number_table, finds_the_numbers_the_engine_could_have_made_and_nothing_else) {
  EXPECT_EQ(number_table::number_of("svc/1"), 1U);
  EXPECT_EQ(number_table::number_of("a/b/svc/0"), 0U);
  EXPECT_EQ(number_table::number_of("svc/18446744073709551615"), 18446744073709551615ULL);
  EXPECT_FALSE(number_table::number_of("svc/18446744073709551616"));  // past 64 bits
  EXPECT_FALSE(number_table::number_of("svc/007"));                   // leading zeros
  EXPECT_FALSE(number_table::number_of("svc7"));                      // no '/' before it
  EXPECT_FALSE(number_table::number_of("123"));
  EXPECT_FALSE(number_table::number_of("svc/"));
  EXPECT_FALSE(number_table::number_of("svc/1a"));
}

TEST(number_table, runs_hand_out_every_number_once_across_threads) {
  auto table = std::make_shared<number_table>();
  std::atomic<std::uint64_t> runs{0};
  constexpr int per_thread = 3000;
  std::vector<std::vector<std::uint64_t>> taken(3);
  std::vector<std::thread> threads;
  for (auto& mine : taken) {
    threads.emplace_back([&] {
      number_table::run r;
      for (int i = 0; i < per_thread; ++i)
        mine.push_back(table->take(r, runs));
    });
  }
  for (auto& t : threads)
    t.join();
  std::set<std::uint64_t> all;
  for (const auto& mine : taken) {
    // Consecutive within a run, and every run starts on a page boundary (1 for the first).
    for (std::size_t i = 1; i < mine.size(); ++i) {
      if (mine[i] != mine[i - 1] + 1) {
        EXPECT_EQ(mine[i] % page, 0U) << mine[i];
      }
    }
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), 3U * per_thread);
  EXPECT_EQ(all.count(0), 0U);
  // Runs that published nothing leave no page behind.
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, a_page_lives_while_its_run_is_open_or_an_actor_in_it_is_registered) {
  auto table = std::make_shared<number_table>();
  std::atomic<std::uint64_t> runs{0};
  number_table::run r;
  std::vector<std::unique_ptr<entry>> entries;
  std::vector<std::uint64_t> keys;
  for (int i = 0; i < 10; ++i) {
    const std::uint64_t n = table->take(r, runs);
    entries.push_back(std::make_unique<entry>(id_of(n)));
    const std::uint64_t key = table->publish(r, n, entries.back()->adopt());
    ASSERT_NE(key, 0U);
    EXPECT_TRUE(number_table::owns(key));
    keys.push_back(key);
  }
  EXPECT_EQ(table->size(), 10U);
  EXPECT_EQ(table->find(3, "svc/3"), entries[2]->handle);
  EXPECT_FALSE(table->find(3, "other/3"));  // the number, but not the ID
  EXPECT_FALSE(table->find(11, "svc/11"));  // taken by nobody yet
  EXPECT_FALSE(table->find(5000, "svc/5000"));

  for (std::size_t i = 0; i < entries.size(); ++i) {
    ASSERT_TRUE(table->remove(entries[i]->handle.target(), keys[i]));
    entries[i]->handle.target()->release();  // the table's reference, handed back
  }
  EXPECT_FALSE(table->remove(entries[0]->handle.target(), keys[0]));  // gone already
  EXPECT_FALSE(table->find(3, "svc/3"));
  EXPECT_EQ(table->pages(), 1U);  // the run may still publish into it
  r.close();
  EXPECT_EQ(table->pages(), 0U);

  // The other order: the run ends first, its last actor frees the page.
  const std::uint64_t n = table->take(r, runs);
  entry last(id_of(n));
  const std::uint64_t key = table->publish(r, n, last.adopt());
  r.close();
  EXPECT_EQ(table->pages(), 1U);
  ASSERT_TRUE(table->remove(last.handle.target(), key));
  last.handle.target()->release();
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, a_reserved_number_is_never_published_and_a_published_one_is_a_duplicate) {
  auto table = std::make_shared<number_table>();
  std::atomic<std::uint64_t> runs{0};
  number_table::run r;
  // A user names svc/2 before the engine reaches 2, twice under two prefixes: both reserve it.
  auto first = table->claim(2, "svc/2");
  EXPECT_FALSE(first.existing);
  EXPECT_TRUE(first.reserved);
  EXPECT_TRUE(table->claim(2, "job/2").reserved);
  EXPECT_EQ(table->take(r, runs), 1U);
  EXPECT_EQ(table->take(r, runs), 2U);
  entry two(id_of(2));
  EXPECT_EQ(table->publish(r, 2, two.adopt()), 0U);  // refused: take the next number instead
  two.handle.target()->release();
  EXPECT_FALSE(table->find(2, "svc/2"));  // the user's actor lives in the registry's hash table

  // A number the engine published: the same ID is that actor, another prefix reserves nothing.
  const std::uint64_t n = table->take(r, runs);
  entry published(id_of(n));
  const std::uint64_t key = table->publish(r, n, published.adopt());
  ASSERT_NE(key, 0U);
  auto same = table->claim(n, id_of(n));
  EXPECT_EQ(same.existing, published.handle);
  EXPECT_FALSE(same.reserved);
  auto other = table->claim(n, "job/" + std::to_string(n));
  EXPECT_FALSE(other.existing);
  EXPECT_FALSE(other.reserved);

  // Reservations far past any run wait without a page.
  EXPECT_TRUE(table->claim(1'000'000, "svc/1000000").reserved);
  EXPECT_EQ(table->pages(), 1U);
  table->unreserve(1'000'000);

  ASSERT_TRUE(table->remove(published.handle.target(), key));
  published.handle.target()->release();
  r.close();
  EXPECT_EQ(table->pages(), 1U);  // svc/2 and job/2 still hold number 2
  table->unreserve(2);
  EXPECT_EQ(table->pages(), 1U);
  table->unreserve(2);
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, users_naming_sparse_numbers_make_no_pages_until_a_run_reaches_them) {
  // User IDs like "order/93847561": each would pin a 2 KB page if it made one.
  auto table = std::make_shared<number_table>();
  for (std::uint64_t n = 1'000'003; n < 100'000'000; n += 1'000'003)
    EXPECT_TRUE(table->claim(n, id_of(n)).reserved);
  EXPECT_EQ(table->pages(), 0U);
  for (std::uint64_t n = 1'000'003; n < 100'000'000; n += 1'000'003)
    table->unreserve(n);

  // A reservation made before the run starts is moved into its page: the run skips the number.
  std::atomic<std::uint64_t> runs{0};
  EXPECT_TRUE(table->claim(5, "svc/5").reserved);
  EXPECT_TRUE(table->claim(5, "job/5").reserved);
  number_table::run r;
  std::vector<std::unique_ptr<entry>> entries;
  for (std::uint64_t n = table->take(r, runs); n <= 6; n = table->take(r, runs)) {
    entries.push_back(std::make_unique<entry>(id_of(n)));
    const std::uint64_t key = table->publish(r, n, entries.back()->adopt());
    EXPECT_EQ(key == 0, n == 5) << n;
    if (key == 0) {
      entries.back()->handle.target()->release();
    } else {
      ASSERT_TRUE(table->remove(entries.back()->handle.target(), key));
      entries.back()->handle.target()->release();
    }
  }
  r.close();
  EXPECT_EQ(table->pages(), 1U);  // held by the two reservations
  table->unreserve(5);
  table->unreserve(5);
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, publishing_and_reserving_the_same_numbers_at_once_never_both_succeed) {
  // One thread publishes every number of its runs while another reserves the numbers ahead of
  // it: each number ends up published or reserved, never both, whoever got there first.
  auto table = std::make_shared<number_table>();
  constexpr std::uint64_t count = 20 * page;
  std::vector<int> reservations(count + 1, 0);
  std::latch together(2);  // both threads race from the first number on
  std::thread user([&] {
    together.arrive_and_wait();
    for (std::uint64_t n = count; n >= 1; --n)
      reservations[n] = table->claim(n, id_of(n)).reserved ? 1 : 0;
  });
  together.arrive_and_wait();
  published p = publish_up_to(*table, count, [](std::uint64_t) {});
  user.join();
  std::size_t registered = 0;
  for (std::uint64_t n = 1; n <= count; ++n) {
    EXPECT_NE(p.keys[n] != 0, reservations[n] != 0) << n;
    if (p.keys[n] != 0) {
      ++registered;
      EXPECT_EQ(table->find(n, id_of(n)), p.entries[n]->handle);
    }
  }
  EXPECT_EQ(table->size(), registered);
  clear(*table, p, reservations);
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, a_claim_aimed_at_the_number_being_published_never_aliases_it) {
  // In every page, the claimer goes for the number right after the one just published, as the
  // page's first claim: a claim and a publish of one number meet as closely as a test can make
  // them, on pages with no reservation yet.
  auto table = std::make_shared<number_table>();
  constexpr std::uint64_t pages = 200;
  constexpr std::uint64_t count = pages * page;
  std::vector<int> reservations(count + 1, 0);
  std::atomic<std::uint64_t> progress{0};
  std::latch together(2);
  std::thread user([&] {
    together.arrive_and_wait();
    for (std::uint64_t pg = 0; pg < pages; ++pg) {
      std::uint64_t at = progress.load(std::memory_order_acquire);
      while (at / page < pg && at < count) {
        std::this_thread::yield();
        at = progress.load(std::memory_order_acquire);
      }
      const std::uint64_t n = at + 1;
      if (n > count || n / page != at / page) continue;  // the publisher is past this page
      if (table->claim(n, id_of(n)).reserved) ++reservations[n];
    }
  });
  together.arrive_and_wait();
  published p = publish_up_to(
      *table, count, [&](std::uint64_t n) { progress.store(n, std::memory_order_release); });
  user.join();
  std::size_t refused = 0;
  for (std::uint64_t n = 1; n <= count; ++n) {
    EXPECT_FALSE(p.keys[n] != 0 && reservations[n] != 0) << n;  // never both
    EXPECT_EQ(p.keys[n] == 0, reservations[n] != 0) << n;       // a refusal is a reservation
    refused += p.keys[n] == 0 ? 1 : 0;
  }
  EXPECT_LE(refused, pages);
  clear(*table, p, reservations);
  EXPECT_EQ(table->pages(), 0U);
}

TEST(number_table, a_run_keeps_its_table_alive_after_the_registry_let_go_of_it) {
  // A plain thread's run holds the table: the engine (and its registry) may go first.
  number_table::run r;
  std::atomic<std::uint64_t> runs{0};
  {
    auto table = std::make_shared<number_table>();
    entry e(id_of(table->take(r, runs)));
    ASSERT_NE(table->publish(r, 1, e.adopt()), 0U);
    table->release_all();  // engine teardown: the table's reference goes back
    EXPECT_EQ(table->size(), 0U);
  }
  r.close();  // ASan reports it if this touched freed memory
}

}  // namespace
