// SPDX-License-Identifier: MIT
#pragma once

/// A record as a handler sees it: where it came from (topic, partition, offset), its bytes (key,
/// value, headers), the aggregate it belongs to, which attempt this is, and whether its result
/// still matters.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hollywood::eventbus::kafka {

/// One Kafka header. A null header value reads as empty.
struct header {
  std::string key;
  std::string value;
};

using headers = std::vector<header>;

/// Where a record's aggregate ID came from (DESIGN §5: envelope field > header > key).
enum class aggregate_source : std::uint8_t { envelope, header, key, none };

/// Returns "envelope", "header", "key" or "none".
constexpr std::string_view to_string(aggregate_source s) noexcept {
  switch (s) {
    case aggregate_source::envelope:
      return "envelope";
    case aggregate_source::header:
      return "header";
    case aggregate_source::key:
      return "key";
    case aggregate_source::none:
      return "none";
  }
  return "none";
}

/// The fields of a record (what the bus fills in).
struct record_fields {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  /// Absent key and empty key both read as empty; `has_key` tells them apart.
  std::string key;
  bool has_key = false;
  std::string value;
  kafka::headers headers;
  std::string aggregate_id;
  aggregate_source source = aggregate_source::none;
};

/// See the file comment. A handler may read a record from any thread until it completes the
/// attempt (async handlers) or returns (blocking handlers); copy what it needs beyond that.
/// @threadsafe for reads
class record {
 public:
  record(record_fields fields, std::shared_ptr<const std::atomic<bool>> cancelled)
      : f_(std::move(fields)), cancelled_(std::move(cancelled)) {}

  [[nodiscard]] std::string_view topic() const noexcept { return f_.topic; }
  [[nodiscard]] std::int32_t partition() const noexcept { return f_.partition; }
  [[nodiscard]] std::int64_t offset() const noexcept { return f_.offset; }
  [[nodiscard]] std::string_view key() const noexcept { return f_.key; }
  [[nodiscard]] bool has_key() const noexcept { return f_.has_key; }
  [[nodiscard]] std::string_view value() const noexcept { return f_.value; }
  [[nodiscard]] const kafka::headers& headers() const noexcept { return f_.headers; }

  /// The aggregate this record belongs to; empty when it has none (then it is handled without
  /// ordering).
  [[nodiscard]] std::string_view aggregate_id() const noexcept { return f_.aggregate_id; }
  [[nodiscard]] aggregate_source aggregate_from() const noexcept { return f_.source; }
  /// Whether the record is handled in order with the rest of its aggregate.
  [[nodiscard]] bool ordered() const noexcept { return f_.source != aggregate_source::none; }

  /// 1 for the first attempt, 2 for the first retry, ...
  [[nodiscard]] std::uint32_t attempt() const noexcept {
    return attempt_.load(std::memory_order_relaxed);
  }

  /// True once the result no longer counts: the partition was revoked (after its deadline) or
  /// the bus stopped. Another consumer will get the record again; a long handler may give up.
  [[nodiscard]] bool cancelled() const noexcept {
    // relaxed: an advisory flag; nothing is published through it.
    return cancelled_ != nullptr && cancelled_->load(std::memory_order_relaxed);
  }

  /// Library use: the bus numbers attempts before each one.
  void set_attempt(std::uint32_t n) noexcept {
    // relaxed: the hand-off of the record to the handler (a message or a queue) orders it.
    attempt_.store(n, std::memory_order_relaxed);
  }

  [[nodiscard]] const record_fields& fields() const noexcept { return f_; }

 private:
  record_fields f_;
  std::shared_ptr<const std::atomic<bool>> cancelled_;
  std::atomic<std::uint32_t> attempt_{0};
};

}  // namespace hollywood::eventbus::kafka
