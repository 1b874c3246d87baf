// SPDX-License-Identifier: MIT
#include "cpu_affinity.hpp"

#include <sched.h>

namespace hollywood::actor::detail {

int current_cpu() noexcept {
  return sched_getcpu();
}

scoped_cpu_avoidance::scoped_cpu_avoidance(int cpu) noexcept {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  if (!CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2) return;
  CPU_CLR(cpu, &allowed);
  // The kernel moves a running thread off a CPU its new mask excludes before the call returns.
  if (sched_setaffinity(0, sizeof(allowed), &allowed) == 0) restore_ = cpu;
}

scoped_cpu_avoidance::~scoped_cpu_avoidance() {
  if (restore_ < 0) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  CPU_SET(restore_, &allowed);
  (void)sched_setaffinity(0, sizeof(allowed), &allowed);
}

void leave_cpu_if_on(int cpu) noexcept {
  if (cpu < 0 || cpu != current_cpu()) return;
  const scoped_cpu_avoidance leave(cpu);  // moves now; the affinity is back at the brace
}

}  // namespace hollywood::actor::detail
