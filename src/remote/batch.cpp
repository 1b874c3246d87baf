// SPDX-License-Identifier: MIT
#include "batch.hpp"

#include <vector>

namespace hollywood::remote::detail {

std::uint32_t batch_builder::type_index(std::string_view name) {
  auto [it, inserted] = type_indices_.try_emplace(std::string(name), batch_.types_size());
  if (inserted) batch_.add_types(std::string(name));
  return it->second;
}

std::uint32_t batch_builder::pid_index(const actor::pid& p) {
  scratch_.assign(p.address());
  scratch_.push_back('/');
  scratch_.append(p.id());
  auto [it, inserted] = pid_indices_.try_emplace(scratch_, batch_.pids_size());
  if (inserted) {
    auto* w = batch_.add_pids();
    w->set_address(std::string(p.address()));
    w->set_id(std::string(p.id()));
  }
  return it->second;
}

expected<void> batch_builder::add(const actor::pid& target, const actor::pid& sender,
                                  const actor::message& m) {
  auto c = types_.by_type(m.type_id());
  if (!c) return unexpected(errc::unknown_type);
  std::string payload;
  if (!c->encode(m, payload)) return unexpected(errc::invalid_argument);
  auto* e = batch_.add_envelopes();
  e->set_type(type_index(c->name()));
  e->set_target(pid_index(target));
  e->set_sender(sender ? pid_index(sender) + 1 : 0);
  e->set_payload(std::move(payload));
  return {};
}

wire::Batch batch_builder::take(std::uint64_t seq, std::uint64_t ack) {
  wire::Batch out;
  out.Swap(&batch_);
  out.set_seq(seq);
  out.set_ack(ack);
  type_indices_.clear();
  pid_indices_.clear();
  return out;
}

expected<void> decode_batch(const wire::Batch& batch, const type_registry& types,
                            const std::function<void(incoming&&)>& on_message) {
  std::vector<std::shared_ptr<const codec>> codecs;
  codecs.reserve(static_cast<std::size_t>(batch.types_size()));
  for (const auto& name : batch.types()) {
    auto c = types.by_name(name);
    if (!c) return unexpected(errc::unknown_type);
    codecs.push_back(std::move(c));
  }
  std::vector<actor::pid> pids;
  pids.reserve(static_cast<std::size_t>(batch.pids_size()));
  for (const auto& p : batch.pids()) {
    if (p.address().empty() || p.id().empty()) return unexpected(errc::protocol_error);
    pids.emplace_back(p.address(), p.id());
  }
  std::vector<incoming> out;
  out.reserve(static_cast<std::size_t>(batch.envelopes_size()));
  for (const auto& e : batch.envelopes()) {
    if (e.type() >= codecs.size() || e.target() >= pids.size() || e.sender() > pids.size()) {
      return unexpected(errc::protocol_error);
    }
    auto m = codecs[e.type()]->decode(e.payload());
    if (!m) return unexpected(errc::invalid_argument);
    out.push_back(incoming{pids[e.target()], e.sender() != 0 ? pids[e.sender() - 1] : actor::pid{},
                           std::move(*m)});
  }
  for (auto& in : out)
    on_message(std::move(in));
  return {};
}

}  // namespace hollywood::remote::detail
