// SPDX-License-Identifier: MIT
#pragma once

/// Clang thread-safety annotations; they compile away on GCC. `HOLLYWOOD_GUARDED_BY(mu_)` on a
/// member says every access holds `mu_`.
#if defined(__clang__)
#define HOLLYWOOD_GUARDED_BY(x) __attribute__((guarded_by(x)))
#define HOLLYWOOD_PT_GUARDED_BY(x) __attribute__((pt_guarded_by(x)))
#else
#define HOLLYWOOD_GUARDED_BY(x)
#define HOLLYWOOD_PT_GUARDED_BY(x)
#endif
