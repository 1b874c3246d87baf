// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace hollywood::actor::detail {

/// Returns the name of `T` as the compiler spells it, computed at compile time (no RTTI). Used
/// for diagnostics (dead letters, crash reasons), never for dispatch.
template <class T>
constexpr std::string_view type_name() noexcept {
  std::string_view s = __PRETTY_FUNCTION__;
  // GCC: "... type_name() [with T = foo::bar; std::string_view = ...]"
  // Clang: "... type_name() [T = foo::bar]"
  const auto start = s.find("T = ");
  if (start == std::string_view::npos) return s;
  s.remove_prefix(start + 4);
  const auto end = s.find_first_of(";]");
  return s.substr(0, end);
}

}  // namespace hollywood::actor::detail
