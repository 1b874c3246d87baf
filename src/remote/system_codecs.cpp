// SPDX-License-Identifier: MIT
#include "system_codecs.hpp"

#include "proto/wire.pb.h"

#include <limits>
#include <memory>

namespace hollywood::remote::detail {

namespace {

class terminated_codec final : public codec {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "hollywood.Terminated"; }
  [[nodiscard]] const void* type_id() const noexcept override {
    return actor::message::type_id_of<actor::terminated>();
  }
  bool encode(const actor::message& m, std::string& out) const override {
    const auto* t = m.get_if<actor::terminated>();
    if (t == nullptr || !t->actor) return false;
    wire::Terminated w;
    w.mutable_actor()->set_address(std::string(t->actor.address()));
    w.mutable_actor()->set_id(std::string(t->actor.id()));
    w.set_reason(static_cast<std::uint32_t>(t->reason));
    w.set_detail(t->detail);
    return w.AppendToString(&out);
  }
  [[nodiscard]] expected<actor::message> decode(std::string_view bytes) const override {
    wire::Terminated w;
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
        !w.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
        w.actor().address().empty() || w.actor().id().empty() ||
        w.reason() > static_cast<std::uint32_t>(actor::termination_reason::unreachable)) {
      return unexpected(errc::invalid_argument);
    }
    return actor::message(actor::terminated{actor::pid(w.actor().address(), w.actor().id()),
                                            static_cast<actor::termination_reason>(w.reason()),
                                            w.detail()});
  }
};

/// A type without payload.
template <class T>
class empty_codec final : public codec {
 public:
  explicit empty_codec(std::string_view name) noexcept : name_(name) {}
  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const void* type_id() const noexcept override {
    return actor::message::type_id_of<T>();
  }
  bool encode(const actor::message& m, std::string&) const override { return m.is<T>(); }
  [[nodiscard]] expected<actor::message> decode(std::string_view bytes) const override {
    if (!bytes.empty()) return unexpected(errc::invalid_argument);
    return actor::message(T{});
  }

 private:
  std::string_view name_;
};

}  // namespace

void register_system_codecs(type_registry& types) {
  (void)types.add(std::make_shared<terminated_codec>());
  (void)types.add(std::make_shared<empty_codec<watch_request>>("hollywood.Watch"));
  (void)types.add(std::make_shared<empty_codec<unwatch_request>>("hollywood.Unwatch"));
}

}  // namespace hollywood::remote::detail
