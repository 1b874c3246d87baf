// SPDX-License-Identifier: MIT
#pragma once

// Keeping background work off a busy thread's CPU. Waking a helper thread does not move it to an
// idle CPU: on this project's 2-vCPU VMs the kernel often puts it on the CPU of the thread that
// woke it, where it preempts that thread for as long as it works (bench/README.md, "spawn").

namespace hollywood::actor::detail {

/// The CPU the calling thread runs on, or -1 when the kernel does not say.
[[nodiscard]] int current_cpu() noexcept;

/// For its scope, keeps the calling thread off `cpu` when the thread may run elsewhere; the
/// thread's previous affinity comes back at the end of the scope. Nothing happens when `cpu` is
/// negative, when the thread may run only there, or when the kernel refuses. Thread-confined:
/// construct and destroy on the same thread.
class scoped_cpu_avoidance {
 public:
  explicit scoped_cpu_avoidance(int cpu) noexcept;
  ~scoped_cpu_avoidance();
  scoped_cpu_avoidance(const scoped_cpu_avoidance&) = delete;
  scoped_cpu_avoidance& operator=(const scoped_cpu_avoidance&) = delete;

 private:
  int restore_ = -1;  // the CPU taken out of the affinity, or -1 when nothing changed
};

/// Moves the calling thread off `cpu` if it runs there and may run elsewhere, leaving its
/// affinity as it was: the kernel keeps the thread where it moved to until it next balances.
void leave_cpu_if_on(int cpu) noexcept;

}  // namespace hollywood::actor::detail
