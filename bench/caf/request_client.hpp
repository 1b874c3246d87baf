// SPDX-License-Identifier: MIT
// The request/reply pair of the CAF side, shared by reqresp (one process) and remote-reqresp (two
// processes): a server that answers `payload{v}` with `payload{v + 1}`, and a client actor that
// makes sequential request(...).then(...) calls and reports on a finish line.
#pragma once

#include "common.hpp"

#include <caf/all.hpp>

#include <string>

namespace cafbench {

caf::behavior increment_server(caf::event_based_actor*);

struct request_client_state {
  caf::actor target;
  caf::duration timeout;
  std::uint64_t requests = 0;
  finish_line* finish = nullptr;
  std::string label;       // names the requests in a failure
  std::uint64_t next = 1;  // value of the request in flight
};

/// Waits for `start_atom`, then makes `requests` sequential requests to `target`, each with
/// `timeout`, checks every answer and marks `finish` (start, end, first failure).
caf::behavior request_client(caf::stateful_actor<request_client_state>* self, caf::actor target,
                             caf::duration timeout, std::uint64_t requests, finish_line* finish,
                             std::string label);

}  // namespace cafbench
