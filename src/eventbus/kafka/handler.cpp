// SPDX-License-Identifier: MIT
#include <hollywood/eventbus/kafka/handler.hpp>

#include "attempt_state.hpp"

namespace hollywood::eventbus::kafka {

namespace detail {

attempt_state::~attempt_state() {
  complete(outcome::failure("completion dropped without a result"));
}

void attempt_state::complete(outcome result) {
  if (done_.exchange(true, std::memory_order_acq_rel)) return;
  if (auto slot = slot_.lock()) {
    slot->push_result(attempt_result{rec_, token_, std::move(result), false});
  }
}

}  // namespace detail

void attempt_completion::complete(outcome result) const {
  if (state_ != nullptr) state_->complete(std::move(result));
}

}  // namespace hollywood::eventbus::kafka
