// Each core's own periodic tick from its local APIC timer.
#pragma once

#include <stdint.h>

namespace atoll_os {

inline constexpr uint32_t kTickHz = 100;

// TSC-deadline mode when the CPU has it, else periodic mode with the APIC
// timer calibrated against the TSC on this core. Logs which.
void start_core_timer();

} // namespace atoll_os
