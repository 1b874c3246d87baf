// SPDX-License-Identifier: MIT
#pragma once

/// The actor layer in one include.

#include <hollywood/actor/context.hpp>
#include <hollywood/actor/engine.hpp>
#include <hollywood/actor/events.hpp>
#include <hollywood/actor/lifecycle.hpp>
#include <hollywood/actor/message.hpp>
#include <hollywood/actor/middleware.hpp>
#include <hollywood/actor/pid.hpp>
#include <hollywood/actor/receiver.hpp>
#include <hollywood/actor/send_result.hpp>
#include <hollywood/actor/spawn_options.hpp>
#include <hollywood/actor/supervision.hpp>
