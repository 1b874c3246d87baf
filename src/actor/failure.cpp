// SPDX-License-Identifier: MIT
#include "failure.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

namespace hollywood::actor::detail {

namespace {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

}  // namespace

std::string describe_current_exception() noexcept {
  try {
    const std::type_info* type = abi::__cxa_current_exception_type();
    std::string name = type != nullptr ? demangle(type->name()) : std::string("unknown exception");
    try {
      throw;
    } catch (const std::exception& e) {
      return name + ": " + e.what();
    } catch (...) {
      return name;
    }
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace hollywood::actor::detail
