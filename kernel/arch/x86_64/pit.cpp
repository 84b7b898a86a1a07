// TSC calibration against PIT channel 2 (gated by port 0x61, polled).
#include "kernel/arch/x86_64/pit.hpp"

#include "kernel/arch/x86_64/cpu.hpp"

namespace atoll_os {
namespace {

constexpr uint32_t kPitHz = 1193182;
constexpr uint32_t kWindowMs = 10;

// One window: TSC ticks while the PIT counts down kWindowMs.
uint64_t one_window()
{
    constexpr uint16_t count = uint16_t(kPitHz * kWindowMs / 1000);
    uint8_t gate = cpu::inb(0x61);
    cpu::outb(0x61, uint8_t((gate & ~0x02) | 0x01)); // gate on, speaker off
    cpu::outb(0x43, 0xb0);                           // channel 2, lo/hi, mode 0
    cpu::outb(0x42, uint8_t(count));
    cpu::outb(0x42, uint8_t(count >> 8));
    // Restart the count by toggling the gate.
    gate = cpu::inb(0x61);
    cpu::outb(0x61, uint8_t(gate & ~0x01));
    cpu::outb(0x61, uint8_t(gate | 0x01));
    uint64_t start = cpu::rdtsc();
    for (uint64_t spins = 0; !(cpu::inb(0x61) & 0x20); ++spins) {
        if (spins > 100000000) return 0; // no PIT: give up rather than hang
    }
    return cpu::rdtsc() - start;
}

} // namespace

uint64_t measure_tsc_hz_with_pit()
{
    // Best of three: an interruption only ever makes a window longer.
    uint64_t best = 0;
    for (int i = 0; i < 3; ++i) {
        uint64_t t = one_window();
        if (t && (!best || t < best)) best = t;
    }
    return best * (1000 / kWindowMs);
}

} // namespace atoll_os
