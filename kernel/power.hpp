// Stopping the machine: QEMU's isa-debug-exit gives the host our status.
#pragma once

#include <stdint.h>

namespace atoll_os {

inline constexpr uint16_t kDebugExitPort = 0xf4;
inline constexpr int kStatusPanic = 3;

// Writes the status to the exit device (QEMU exits with status*2+1); on a
// machine without one, says so and halts this core.
[[noreturn]] void machine_exit(int status);

} // namespace atoll_os
