// Mapping and starting the I/O APICs on the boot core.
#include "percpu/device_interrupts.hpp"

#include "kernel/arch/x86_64/ioapic.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/log.hpp"
#include "kernel/object/irq.hpp"
#include "percpu/address_space.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {

constexpr uint64_t kWindowBytes = 0x20; // index register at +0, data at +0x10

uint64_t frame_for_tables(void*) { return this_core().frames.alloc(0); }

// A register window the firmware put in RAM is a broken table, and mapping
// it uncached could alias memory another core owns: skip it.
bool overlaps_ram(const BootInfo& info, uint64_t base, uint64_t end)
{
    for (uint32_t i = 0; i < info.memory_map_count; ++i) {
        const MemoryMapEntry& e = info.memory_map[i];
        if (e.type == 1 && base < e.base + e.length && e.base < end) return true;
    }
    return false;
}

bool map_window(PageTables& pt, FrameSource& frames, uint64_t phys)
{
    for (uint64_t page = align_down(phys); page < phys + kWindowBytes; page += kPageSize) {
        uint64_t existing;
        if (pt.translate(phys_to_virt(page), existing)) continue; // two I/O APICs in one page
        if (!pt.map(phys_to_virt(page), page, kPageSize, MapFlags{.write = true, .uncached = true}, frames))
            return false;
    }
    return true;
}

} // namespace

void start_device_interrupts()
{
    const BootInfo& info = boot_info();
    acpi::MadtInterrupts usable = info.topology.interrupts;
    usable.ioapic_count = 0;
    PageTables pt(this_core().pml4_phys, kPhysmapBase, cpu_has_1g_pages());
    FrameSource frames{frame_for_tables, nullptr};
    for (uint32_t i = 0; i < info.topology.interrupts.ioapic_count; ++i) {
        const acpi::MadtIoApic& chip = info.topology.interrupts.ioapics[i];
        if (overlaps_ram(info, chip.phys, chip.phys + kWindowBytes) || !map_window(pt, frames, chip.phys)) {
            klog("ioapic: id %u at %#x is in RAM or cannot be mapped; not used", chip.id, chip.phys);
            continue;
        }
        usable.ioapics[usable.ioapic_count++] = chip;
    }
    io_apics().init(usable, lapic().id());
    install_device_vectors();
}

} // namespace atoll_os
