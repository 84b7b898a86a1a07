// Mapping a peer's channel memory into this core's own page tables. No TLB
// shootdown is ever needed: no other core uses these page tables.
#include "percpu/remote_map.hpp"

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/log.hpp"
#include "percpu/address_space.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {

uint64_t g_table_bytes; // per core

uint64_t frame_from_own_allocator(void*)
{
    uint64_t phys = this_core().frames.alloc(0);
    if (phys) g_table_bytes += kPageSize;
    return phys;
}

} // namespace

uint64_t remote_map_table_bytes() { return g_table_bytes; }

void* map_remote(uint64_t phys, uint64_t bytes, bool writable)
{
    PageTables pt(this_core().pml4_phys, kPhysmapBase, cpu_has_1g_pages());
    FrameSource frames{frame_from_own_allocator, nullptr};
    uint64_t end = align_up(phys + bytes);
    for (uint64_t page = align_down(phys); page < end; page += kPageSize) {
        uint64_t existing;
        if (pt.translate(phys_to_virt(page), existing)) continue;
        if (!pt.map(phys_to_virt(page), page, kPageSize, MapFlags{.write = writable}, frames)) {
            klog("remote map: out of page-table memory mapping %#lx", page);
            return nullptr;
        }
    }
    return reinterpret_cast<void*>(phys_to_virt(phys));
}

} // namespace atoll_os
