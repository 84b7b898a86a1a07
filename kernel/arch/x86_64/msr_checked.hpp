// MSR access for optional features: an MSR the CPU (or hypervisor) lacks
// raises #GP, which these turn into `false` instead of a kernel panic.
// Call with interrupts off: the probe catches any #GP until it returns.
#pragma once

#include <stdint.h>

namespace atoll_os {

bool read_msr_checked(uint32_t msr, uint64_t* value);
bool write_msr_checked(uint32_t msr, uint64_t value);

} // namespace atoll_os
