// SPDX-License-Identifier: MIT
#pragma once

/// The remote layer in one include.
#include <hollywood/remote/codec.hpp>
#include <hollywood/remote/events.hpp>
#include <hollywood/remote/protobuf_codec.hpp>
#include <hollywood/remote/remote.hpp>
#include <hollywood/remote/remote_config.hpp>
#include <hollywood/remote/type_registry.hpp>
