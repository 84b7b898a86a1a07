// Builds a kernel instance's own address space: shared read-only kernel
// text, this core's private copy of .data/.bss, the read-only boot info,
// and a physmap of only this core's partition.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/lib/diag.hpp"
#include "percpu/boot_info.hpp"

namespace atoll_os {

struct AddressSpacePlan {
    const Partition* own = nullptr;    // physmap, read-write
    uint64_t private_data_phys = 0;    // backs .data/.bss; 0 = leave unmapped
    bool map_lapic = false;            // the local APIC page, uncached
    PhysRange extra_rw{};              // more physmap (boot core: low memory)
    PhysRange extra_ro{};              // read-only physmap (APs in bring-up: the .data template)
    PhysRange identity_exec{};         // identity-mapped code (bring-up: the trampoline)
};

// Returns the new top-level table's physical address, 0 on failure (reported).
uint64_t build_kernel_address_space(const BootInfo& info, const AddressSpacePlan& plan, FrameSource& frames,
                                    Diag& diag);

bool cpu_has_1g_pages();

} // namespace atoll_os
