// SPDX-License-Identifier: MIT
#include "node_kinds.hpp"

#include <hollywood/remote/events.hpp>

#include "node.pb.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>

namespace hollywood::tools {

namespace {

using namespace hollywood::actor;
namespace msg = hollywood::node;

/// Values a bitmap can record.
constexpr std::uint64_t bitmap_limit = std::uint64_t{1} << 21;

/// Sets bit `v` of a byte-string bitmap; false if it was already set or is out of range.
bool set_bit(std::string& bits, std::uint64_t v) {
  if (v >= bitmap_limit) return false;
  if (bits.size() <= v / 8) bits.resize(v / 8 + 1, '\0');
  auto& byte = reinterpret_cast<unsigned char&>(bits[v / 8]);
  const auto mask = static_cast<unsigned char>(1u << (v % 8));
  if ((byte & mask) != 0) return false;
  byte |= mask;
  return true;
}

class echo final : public receiver {
 public:
  void receive(context& ctx) override {
    if (auto* e = ctx.get_if<msg::Echo>()) ctx.respond(*e);
  }
};

/// A bitmap in a shared file mapping: what is written survives a kill of the process.
class record_file {
 public:
  static std::unique_ptr<record_file> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return nullptr;
    void* p = MAP_FAILED;
    if (::ftruncate(fd, bitmap_limit / 8) == 0) {
      p = ::mmap(nullptr, bitmap_limit / 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    ::close(fd);
    if (p == MAP_FAILED) return nullptr;
    return std::unique_ptr<record_file>(new record_file(static_cast<unsigned char*>(p)));
  }
  record_file(const record_file&) = delete;
  record_file& operator=(const record_file&) = delete;
  ~record_file() { ::munmap(bits_, bitmap_limit / 8); }

  void set(std::uint64_t v) noexcept {
    if (v < bitmap_limit) bits_[v / 8] |= static_cast<unsigned char>(1u << (v % 8));
  }

 private:
  explicit record_file(unsigned char* bits) noexcept : bits_(bits) {}
  unsigned char* bits_;
};

class counter final : public receiver {
 public:
  explicit counter(std::shared_ptr<record_file> record) : record_(std::move(record)) {}

  void receive(context& ctx) override {
    if (auto* c = ctx.get_if<msg::Count>()) {
      if (record_) record_->set(c->value());
      report_.set_received(report_.received() + 1);
      if (!set_bit(*report_.mutable_seen(), c->value())) {
        report_.set_duplicates(report_.duplicates() + 1);
      }
      const std::string from = ctx.sender().to_string();
      auto [it, first] = last_.try_emplace(from, c->value());
      if (!first) {
        if (c->value() <= it->second) report_.set_out_of_order(report_.out_of_order() + 1);
        it->second = c->value();
      }
    } else if (ctx.is<msg::CountQuery>()) {
      ctx.respond(report_);
    }
  }

 private:
  std::shared_ptr<record_file> record_;
  msg::CountReport report_;
  std::map<std::string, std::uint64_t> last_;  // per sender
};

/// Sends itself one of these between chunks.
struct next_chunk {};

class blaster final : public receiver {
 public:
  void receive(context& ctx) override {
    if (ctx.is<started>()) {
      ctx.engine().subscribe(ctx.self());
    } else if (auto* b = ctx.get_if<msg::Blast>()) {
      job_ = *b;
      if (job_.chunk() == 0) job_.set_chunk(1000);
      target_ = pid(job_.target_address(), job_.target_id());
      next_ = 0;
      report_.Clear();
      ctx.send(ctx.self(), next_chunk{});
    } else if (ctx.is<next_chunk>()) {
      send_chunk(ctx);
    } else if (auto* d = ctx.get_if<dead_letter_event>()) {
      if (const auto* c = d->message->get_if<msg::Count>()) {
        report_.set_dead_letters(report_.dead_letters() + 1);
        set_bit(*report_.mutable_dead(), c->value());
        if (d->reason == dead_letter_reason::maybe_delivered) {
          set_bit(*report_.mutable_maybe(), c->value());
        }
      }
    } else if (ctx.is<remote::remote_unreachable_event>()) {
      report_.set_unreachable_events(report_.unreachable_events() + 1);
    } else if (ctx.is<msg::BlastQuery>()) {
      report_.set_sent(next_);
      report_.set_done(next_ == job_.count());
      ctx.respond(report_);
    }
  }

 private:
  void send_chunk(context& ctx) {
    const std::uint64_t end = std::min(job_.count(), next_ + job_.chunk());
    msg::Count c;
    for (; next_ < end; ++next_) {
      c.set_value(next_);
      ctx.send(target_, c);
    }
    if (next_ == job_.count()) return;
    if (job_.pause_us() == 0) {
      ctx.send(ctx.self(), next_chunk{});
    } else {
      ctx.send_after(ctx.self(), next_chunk{}, std::chrono::microseconds(job_.pause_us()));
    }
  }

  msg::Blast job_;
  pid target_;
  std::uint64_t next_ = 0;
  msg::BlastReport report_;
};

/// Throws on every Echo: shows crashes, restarts and, after the fourth, max-restarts-exceeded.
class crasher final : public receiver {
 public:
  void receive(context& ctx) override {
    if (ctx.is<msg::Echo>()) throw std::runtime_error("crasher: crashing on purpose");
  }
};

class asker final : public receiver {
 public:
  void receive(context& ctx) override {
    auto* a = ctx.get_if<msg::Ask>();
    if (a == nullptr) return;
    msg::Echo question;
    question.set_text(a->text());
    const pid reply_to = ctx.sender();
    ctx.request(pid(a->target_address(), a->target_id()), question, std::chrono::seconds(10),
                [reply_to](context& c, expected<message> answer) {
                  if (answer && answer->is<msg::Echo>()) {
                    c.send(reply_to, answer->get<msg::Echo>());
                    return;
                  }
                  msg::Echo failed;
                  failed.set_text("failed: " + (answer ? std::string("unexpected answer")
                                                       : answer.error().message()));
                  c.send(reply_to, failed);
                });
  }
};

}  // namespace

void register_node_messages(remote::type_registry& types) {
  (void)types.add_protobuf<msg::Echo>();
  (void)types.add_protobuf<msg::Count>();
  (void)types.add_protobuf<msg::CountQuery>();
  (void)types.add_protobuf<msg::CountReport>();
  (void)types.add_protobuf<msg::Blast>();
  (void)types.add_protobuf<msg::BlastQuery>();
  (void)types.add_protobuf<msg::BlastReport>();
  (void)types.add_protobuf<msg::Ask>();
  (void)types.add_protobuf<msg::Visit>();
  (void)types.add_protobuf<msg::VisitAck>();
}

const std::vector<std::string>& node_kind_names() {
  static const std::vector<std::string> names{"echo", "counter", "blaster", "asker", "crasher"};
  return names;
}

bool spawn_node_kind(engine& e, std::string_view kind, const node_kind_options& o) {
  const auto options = spawn_options{}.with_id("1").with_middleware(o.middleware);
  if (kind == "echo") return static_cast<bool>(e.spawn(make_producer<echo>(), kind, options));
  if (kind == "counter") {
    std::shared_ptr<record_file> record;
    if (!o.counter_record.empty()) {
      record = record_file::open(o.counter_record);
      if (!record) return false;
    }
    return static_cast<bool>(e.spawn(make_producer<counter>(record), kind, options));
  }
  if (kind == "blaster") return static_cast<bool>(e.spawn(make_producer<blaster>(), kind, options));
  if (kind == "asker") return static_cast<bool>(e.spawn(make_producer<asker>(), kind, options));
  if (kind == "crasher") return static_cast<bool>(e.spawn(make_producer<crasher>(), kind, options));
  return false;
}

}  // namespace hollywood::tools
