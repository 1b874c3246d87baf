// SPDX-License-Identifier: MIT
#pragma once

namespace hollywood {

/// Hints the CPU that the caller is spinning (x86 PAUSE, ARM YIELD): it saves power and frees
/// the sibling hyper-thread. A PAUSE costs ~10-140 cycles depending on the core, which is why
/// spin budgets in this library are given in nanoseconds, never in iterations.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace hollywood
