// SPDX-License-Identifier: MIT
#include "request_client.hpp"

#include <utility>

namespace cafbench {

namespace {

void send_next(caf::stateful_actor<request_client_state>* self) {
  auto& st = self->state;
  self->request(st.target, st.timeout, payload{st.next})
      .then(
          [self](payload reply) {
            auto& s = self->state;
            if (reply != s.next + 1 && s.finish->failure.empty()) {
              s.finish->failure =
                  s.label + " " + std::to_string(s.next) + " answered " + std::to_string(reply);
            }
            if (s.next == s.requests) {
              s.finish->at = bench_clock::now();
              s.finish->done();
              self->quit();
              return;
            }
            ++s.next;
            send_next(self);
          },
          [self](caf::error& err) {
            auto& s = self->state;
            s.finish->failure = s.label + " failed: " + self->system().render(err);
            s.finish->at = bench_clock::now();
            s.finish->done();
            self->quit();
          });
}

}  // namespace

caf::behavior increment_server(caf::event_based_actor*) {
  return {
      [](payload value) { return payload{value + 1}; },
  };
}

caf::behavior request_client(caf::stateful_actor<request_client_state>* self, caf::actor target,
                             caf::duration timeout, std::uint64_t requests, finish_line* finish,
                             std::string label) {
  auto& st = self->state;
  st.target = std::move(target);
  st.timeout = timeout;
  st.requests = requests;
  st.finish = finish;
  st.label = std::move(label);
  return {
      [self](start_atom) {
        self->state.finish->start = bench_clock::now();
        send_next(self);
      },
  };
}

}  // namespace cafbench
