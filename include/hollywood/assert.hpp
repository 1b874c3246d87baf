// SPDX-License-Identifier: MIT
#pragma once

/// HOLLYWOOD_ASSERT(cond) checks a precondition in builds with runtime checks (the dev and
/// sanitizer presets) and compiles to nothing otherwise. Broken preconditions are programmer
/// errors: they abort with the location instead of returning an error code.

#include <cstdio>
#include <cstdlib>

#if defined(HOLLYWOOD_ENABLE_RUNTIME_CHECKS)
#define HOLLYWOOD_ASSERT(cond)                                                          \
  do {                                                                                  \
    if (!(cond)) [[unlikely]] {                                                         \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
#else
#define HOLLYWOOD_ASSERT(cond) static_cast<void>(0)
#endif
