// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace hollywood::actor::detail {

/// Describes the exception being handled as "<type>: <what()>" (or "<type>" when it is not a
/// std::exception). Call only inside a catch block.
std::string describe_current_exception() noexcept;

}  // namespace hollywood::actor::detail
