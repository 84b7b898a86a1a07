// CPU topology: how APIC ids split into package/core/thread and which caches they share, from CPUID.
#pragma once

#include <stdint.h>

namespace atoll_os {

// Executes CPUID (or, in tests, looks values up) for one leaf/subleaf.
using CpuidFn = void (*)(uint32_t leaf, uint32_t subleaf, uint32_t out[4] /*eax,ebx,ecx,edx*/, void* ctx);

struct ApicIdLayout {
    uint8_t smt_shift;   // apic_id >> smt_shift drops the thread bits
    uint8_t core_shift;  // bits below package: apic_id >> core_shift is the package
    uint8_t l2_shift;    // apic_id >> l2_shift is equal for threads sharing an L2
    uint8_t l3_shift;    // likewise for L3
};

struct ApicIdParts {
    uint32_t package, core, thread;
};

// Decodes the layout the executing CPU uses: leaf 0x1F, else 0xB, else the
// legacy leaves (1 and 4 on Intel, 0x80000008 and 0x8000001E on AMD/Hygon);
// cache sharing from leaf 4 (Intel) or 0x8000001D (AMD/Hygon with TOPOEXT).
// Without cache information an L2 is assumed per core and an L3 per package.
ApicIdLayout decode_apic_id_layout(CpuidFn cpuid, void* ctx);

ApicIdParts decompose(uint32_t apic_id, const ApicIdLayout& layout);

// apic_id >> shift, defined for any shift (ids are 32 bits wide).
uint32_t apic_id_group(uint32_t apic_id, uint8_t shift);

// The executing CPU's APIC id: leaf 0xB EDX (the full x2APIC id) when that
// leaf is implemented, else the 8-bit xAPIC id in leaf 1 EBX[31:24].
uint32_t current_apic_id_from_cpuid(CpuidFn cpuid, void* ctx);

} // namespace atoll_os
