// Reading what the boot loader handed us (multiboot v1 from QEMU -kernel,
// multiboot2 from GRUB) into loader-neutral BootInfo fields.
#pragma once

#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "percpu/boot_info.hpp"

namespace atoll_os {

inline constexpr uint32_t kMultiboot1Magic = 0x2badb002;
inline constexpr uint32_t kMultiboot2Magic = 0x36d76289;

// What the loader gave besides the BootInfo fields.
struct LoaderExtras {
    uint8_t rsdp[36];     // copy of the RSDP when the loader passed one
    uint32_t rsdp_len;    // 0 = search the BIOS areas
    PhysRange info;       // where the loader's own structures were
};

// Physical memory is read at phys + virt_offset, never at or past phys_limit.
// Fills cmdline, memory map and modules in `out`. False (reported) if the
// magic is unknown or the structures are unusable; never reads out of bounds.
bool parse_multiboot(uint32_t magic, uint64_t info_phys, uint64_t virt_offset, uint64_t phys_limit,
                     BootInfo& out, LoaderExtras& extras, Diag& diag);

} // namespace atoll_os
