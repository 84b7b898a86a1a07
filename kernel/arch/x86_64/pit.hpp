// The legacy PIT, used once by the boot core as a known clock to measure
// the TSC against. It is a shared device, so only the boot core touches it.
#pragma once

#include <stdint.h>

namespace atoll_os {

// Returns TSC ticks per second, or 0 if the PIT did not respond.
uint64_t measure_tsc_hz_with_pit();

} // namespace atoll_os
