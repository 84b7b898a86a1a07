// Hardware performance counters for user-mode measurement: where the CPU has
// them, each core's kernel starts two counters (instructions retired and
// core cycles, counting kernel and user mode alike, so a system call or an
// IPC round trip is counted whole) and sets CR4.PCE so benchmarks read them
// with RDPMC. kCoreInfo tells user mode which kind it got (sys::kCounters*).
// The choice is a pure function of CPUID, tested on the host; programming
// the MSRs is checked, because hypervisors may advertise what they refuse.
#pragma once

#include <stdint.h>

#include "kernel/abi/syscalls.hpp"

namespace atoll_os {

struct CounterChoice {
    uint64_t kind;   // sys::kCountersNone / kCountersIntelFixed / kCountersAmdCore
    uint8_t width;   // counter bits; RDPMC results wrap at 2^width
};

// What CPUID offers, as the decoder needs it.
struct CounterCpuid {
    bool intel, amd;             // vendor string of leaf 0
    uint32_t max_leaf;           // leaf 0 eax
    uint32_t leaf_a_eax, leaf_a_ebx, leaf_a_ecx, leaf_a_edx; // leaf 0xA (Intel architectural perfmon)
    uint32_t ext1_ecx;           // leaf 0x8000_0001 ecx (AMD)
};

// Intel: architectural perfmon version >= 2 with fixed counters 0
// (INST_RETIRED.ANY) and 1 (CPU_CLK_UNHALTED.THREAD) and a global control.
// AMD: the core performance counter extension (PerfCtrExtCore, ecx bit 23),
// whose first two counters get "retired instructions" (event 0xC0) and
// "cycles not in halt" (event 0x76). Anything else: none.
inline CounterChoice choose_counters(const CounterCpuid& c)
{
    if (c.intel && c.max_leaf >= 0xa) {
        const uint32_t version = c.leaf_a_eax & 0xff;
        const uint32_t fixed = c.leaf_a_edx & 0x1f;
        const uint32_t width = (c.leaf_a_edx >> 5) & 0xff;
        // Version 5 lists fixed counters as a bit mask too: counter i exists if ECX[i] or i < fixed.
        auto has_fixed = [&](uint32_t i) { return ((c.leaf_a_ecx >> i) & 1) || i < fixed; };
        if (version >= 2 && has_fixed(0) && has_fixed(1) && width >= 32 && width <= 64)
            return {sys::kCountersIntelFixed, uint8_t(width)};
    }
    if (c.amd && (c.ext1_ecx & (1u << 23))) return {sys::kCountersAmdCore, 48};
    return {sys::kCountersNone, 0};
}

// This core: decides, programs the counters and CR4.PCE. Returns false (and
// leaves nothing half set) if the CPU has none or refused an MSR. Call with
// interrupts off, before user mode runs.
bool perf_counters_enable();

// For kCoreInfo: kind | width << 8, the same on every core of a machine.
uint64_t perf_counters_word();

} // namespace atoll_os
