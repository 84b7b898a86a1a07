// Time since boot, from the calibrated TSC.
#include "kernel/time.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "percpu/boot_info.hpp"

namespace atoll_os {

uint64_t tsc_to_micros(uint64_t delta)
{
    uint64_t hz = boot_info().tsc_hz;
    if (hz == 0) return 0; // not calibrated yet: early lines show +0.000000
    // Split to avoid 128-bit division (no compiler runtime in the kernel).
    return (delta / hz) * 1000000 + (delta % hz) * 1000000 / hz;
}

uint64_t micros_to_tsc(uint64_t micros)
{
    uint64_t hz = boot_info().tsc_hz;
    return (micros / 1000000) * hz + (micros % 1000000) * hz / 1000000;
}

uint64_t micros_since_boot()
{
    uint64_t now = cpu::rdtsc();
    uint64_t start = boot_info().boot_tsc;
    return now > start ? tsc_to_micros(now - start) : 0;
}

void delay_micros(uint64_t micros)
{
    uint64_t end = cpu::rdtsc() + micros_to_tsc(micros);
    while (cpu::rdtsc() < end) cpu::pause();
}

} // namespace atoll_os
