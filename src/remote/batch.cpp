// SPDX-License-Identifier: MIT
#include "batch.hpp"

#include <hollywood/remote/remote_config.hpp>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <functional>
#include <limits>

namespace hollywood::remote::detail {

namespace {

std::size_t mix(std::size_t h) noexcept {
  // Spread low-entropy hashes (pointers) over the high bits used for the slot number.
  return h * 0x9E3779B97F4A7C15ull;
}

}  // namespace

template <class Eq>
std::uint32_t batch_builder::index::find_or_add(std::size_t hash, std::uint32_t next, Eq&& same) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = mix(hash) >> 40 & mask;; i = (i + 1) & mask) {
    slot& s = slots_[i];
    if (s.generation != generation_) {
      s = slot{hash, next, generation_};
      ++used_;
      return next;
    }
    if (s.hash == hash && same(s.value)) return s.value;
  }
}

void batch_builder::index::clear() noexcept {
  used_ = 0;
  if (++generation_ == 0) {  // wrapped: old stamps could look live again
    for (auto& s : slots_)
      s.generation = 0;
    generation_ = 1;
  }
}

void batch_builder::index::grow() {
  std::vector<slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const slot& s : old) {
    if (s.generation != generation_) continue;
    std::size_t i = mix(s.hash) >> 40 & mask;
    while (slots_[i].generation == generation_)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::uint32_t batch_builder::type_index(const codec& c) {
  const auto next = static_cast<std::uint32_t>(type_codecs_.size());
  const std::uint32_t i = types_index_.find_or_add(
      std::hash<const void*>{}(&c), next, [&](std::uint32_t v) { return type_codecs_[v] == &c; });
  if (i == next) {
    type_codecs_.push_back(&c);
    batch_.add_types(std::string(c.name()));
    tables_ += c.name().size() + 8;
  }
  return i;
}

std::uint32_t batch_builder::pid_index(const actor::pid& p) {
  const std::string* address = p.target()->interned_address();
  const std::string_view id = p.id();
  const std::size_t h = std::hash<std::string_view>{}(id) ^ std::hash<const void*>{}(address);
  const auto next = static_cast<std::uint32_t>(batch_.pids_size());
  const std::uint32_t i = pids_index_.find_or_add(h, next, [&](std::uint32_t v) {
    const auto& w = batch_.pids(static_cast<int>(v));
    return w.id() == id && w.address() == *address;
  });
  if (i == next) {
    auto* w = batch_.add_pids();
    w->set_address(*address);
    w->set_id(std::string(id));
    tables_ += address->size() + id.size() + 16;
  }
  return i;
}

expected<void> batch_builder::add(const actor::pid& target, const actor::pid& sender,
                                  const actor::message& m) {
  const codec* c = types_.by_type(m.type_id());
  if (c == nullptr) return unexpected(errc::unknown_type);
  // After reset(), add_envelopes() hands back a cleared envelope of an earlier batch, payload
  // buffer included: steady state allocates nothing here.
  wire::Envelope* e = batch_.add_envelopes();
  std::string* payload = e->mutable_payload();
  if (!c->encode(m, *payload)) {
    batch_.mutable_envelopes()->RemoveLast();
    return unexpected(errc::invalid_argument);
  }
  if (payload->size() > max_payload_) {
    batch_.mutable_envelopes()->RemoveLast();
    return unexpected(errc::frame_too_large);
  }
  e->set_type(type_index(*c));
  e->set_target(pid_index(target));
  e->set_sender(sender ? pid_index(sender) + 1 : 0);
  ++size_;
  bytes_ += payload->size();
  return {};
}

void batch_builder::drop_last() {
  if (size_ == 0) return;
  bytes_ -= batch_.envelopes(static_cast<int>(size_) - 1).payload().size();
  batch_.mutable_envelopes()->RemoveLast();
  --size_;
}

const wire::Batch& batch_builder::stamp(std::uint64_t seq, std::uint64_t ack_session,
                                        std::uint64_t ack, std::uint64_t handled) {
  batch_.set_seq(seq);
  batch_.set_ack_session(ack_session);
  batch_.set_ack(ack);
  batch_.set_handled(handled);
  return batch_;
}

void batch_builder::reset() {
  batch_.Clear();  // keeps the repeated elements' objects for reuse by add()
  size_ = 0;
  bytes_ = 0;
  tables_ = 0;
  types_index_.clear();
  pids_index_.clear();
  type_codecs_.clear();
}

namespace {

// Receiver limits beyond the envelope count: every entry of these tables is referenced by an
// envelope, so more than two PIDs per envelope or thousands of type names only serve an attack.
constexpr std::size_t max_batch_pids = 2 * max_batch_envelopes;
constexpr std::size_t max_batch_types = 4096;
constexpr std::size_t max_pid_address = 255;
constexpr std::size_t max_pid_id = 4096;

}  // namespace

expected<void> check_batch_shape(std::string_view payload) {
  using google::protobuf::internal::WireFormatLite;
  if (payload.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return unexpected(errc::protocol_error);
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                            static_cast<int>(payload.size()));
  std::size_t types = 0;
  std::size_t pids = 0;
  std::size_t envelopes = 0;
  for (std::uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case wire::Batch::kTypesFieldNumber:
        ++types;
        break;
      case wire::Batch::kPidsFieldNumber:
        ++pids;
        break;
      case wire::Batch::kEnvelopesFieldNumber:
        ++envelopes;
        break;
      default:
        break;
    }
    if (types > max_batch_types || pids > max_batch_pids || envelopes > max_batch_envelopes) {
      return unexpected(errc::protocol_error);
    }
    if (!WireFormatLite::SkipField(&in, tag)) return unexpected(errc::protocol_error);
  }
  if (!in.ConsumedEntireMessage()) return unexpected(errc::protocol_error);
  return {};
}

expected<void> decode_batch(const wire::Batch& batch, const type_registry& types,
                            std::vector<incoming>& out, const pid_factory& make_pid) {
  out.clear();
  // Indexes first: a refused batch should not have built (and interned) anything.
  const auto type_count = static_cast<std::uint32_t>(batch.types_size());
  const auto pid_count = static_cast<std::uint32_t>(batch.pids_size());
  for (const auto& e : batch.envelopes()) {
    if (e.type() >= type_count || e.target() >= pid_count || e.sender() > pid_count) {
      return unexpected(errc::protocol_error);
    }
  }
  for (const auto& p : batch.pids()) {
    if (p.address().empty() || p.id().empty() || p.address().size() > max_pid_address ||
        p.id().size() > max_pid_id) {
      return unexpected(errc::protocol_error);
    }
  }
  std::vector<const codec*> codecs;
  codecs.reserve(static_cast<std::size_t>(batch.types_size()));
  for (const auto& name : batch.types()) {
    const codec* c = types.by_name(name);
    if (c == nullptr) return unexpected(errc::unknown_type);
    codecs.push_back(c);
  }
  std::vector<actor::pid> pids;
  pids.reserve(static_cast<std::size_t>(batch.pids_size()));
  for (const auto& p : batch.pids())
    pids.push_back(make_pid ? make_pid(p.address(), p.id()) : actor::pid(p.address(), p.id()));
  out.reserve(static_cast<std::size_t>(batch.envelopes_size()));
  for (const auto& e : batch.envelopes()) {
    auto m = codecs[e.type()]->decode(e.payload());
    if (!m) {
      out.clear();
      return unexpected(errc::invalid_argument);
    }
    out.push_back(incoming{pids[e.target()], e.sender() != 0 ? pids[e.sender() - 1] : actor::pid{},
                           std::move(*m)});
  }
  return {};
}

}  // namespace hollywood::remote::detail
