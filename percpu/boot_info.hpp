// BootInfo: what the boot core learned before any other core started. It is
// written once by the boot core and mapped read-only on every core, so it is
// the only non-channel memory two instances both see.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/mem/phys_range.hpp"
#include "percpu/partition.hpp"
#include "percpu/topology.hpp"

namespace atoll_os {

inline constexpr unsigned kMaxMemoryMapEntries = 128;
inline constexpr unsigned kMaxBootModules = 32;
inline constexpr size_t kCmdlineMax = 512;

struct MemoryMapEntry {
    uint64_t base, length;
    uint32_t type;  // multiboot numbering: 1 usable, 3 ACPI reclaimable, 4 NVS, 5 bad
};

struct BootModule {
    uint64_t base, end;
    char name[64];
};

// Physical layout of the kernel image, as the linker placed it.
struct KernelImage {
    PhysRange text;        // .text: shared, read-only, executable
    PhysRange rodata;      // .rodata + symbol table: shared, read-only
    PhysRange data_template;  // pristine .data every core copies
    uint64_t data_size;    // .data bytes
    uint64_t private_size; // .data + .bss bytes: each core's private copy
    uint64_t data_va;      // where .data/.bss live in every address space
    PhysRange boot_core_private; // the boot core's own .data/.bss
    PhysRange bootinfo;
    PhysRange whole;       // everything the loader placed, for reservation
};

struct BootInfo {
    uint32_t loader_magic;
    char cmdline[kCmdlineMax];
    uint32_t memory_map_count;
    MemoryMapEntry memory_map[kMaxMemoryMapEntries];
    uint32_t module_count;
    BootModule modules[kMaxBootModules];
    uint64_t rsdp_phys;
    KernelImage image;

    Topology topology;
    Partition partitions[kMaxCores];
    // Each core's channel directory (first page of its partition): where
    // peers find its rings. Only the owning core writes it.
    uint64_t directory_phys[kMaxCores];

    uint64_t tsc_hz;
    uint64_t boot_tsc;
    bool x2apic;
    bool tsc_deadline;
    bool isa_debug_exit; // QEMU's exit device is our power-off switch
};

// Every core may read. Safe anywhere after the boot core published it.
const BootInfo& boot_info();

// Only the boot core, only before it switches to its own page tables, where
// the mapping becomes read-only and this would fault.
BootInfo& boot_info_for_boot_core_setup();

} // namespace atoll_os
