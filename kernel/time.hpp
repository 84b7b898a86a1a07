// Time since boot, from the TSC the boot core calibrated.
#pragma once

#include <stdint.h>

namespace atoll_os {

uint64_t micros_since_boot();
uint64_t tsc_to_micros(uint64_t tsc_delta);
uint64_t micros_to_tsc(uint64_t micros);
// Busy-waits; used before timers exist and for calibration.
void delay_micros(uint64_t micros);

} // namespace atoll_os
