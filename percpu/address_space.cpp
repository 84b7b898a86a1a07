// Construction of a kernel instance's page tables from its plan.
#include "percpu/address_space.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {

bool map_phys_range(PageTables& pt, const PhysRange& r, uint64_t va_base, MapFlags flags, FrameSource& frames,
                    Diag& diag, const char* what)
{
    if (r.size() == 0) return true;
    uint64_t base = align_down(r.base), end = align_up(r.end);
    if (pt.map(va_base + base, base, end - base, flags, frames)) return true;
    diag.report("address space: cannot map %s [%#lx, %#lx)", what, base, end);
    return false;
}

} // namespace

bool cpu_has_1g_pages() { return cpu::cpuid(0x80000001).edx & (1u << 26); }

uint64_t build_kernel_address_space(const BootInfo& info, const AddressSpacePlan& plan, FrameSource& frames,
                                    Diag& diag)
{
    uint64_t root = PageTables::create_root(frames, kPhysmapBase);
    if (!root) {
        diag.report("address space: no memory for the top-level page table");
        return 0;
    }
    PageTables pt(root, kPhysmapBase, cpu_has_1g_pages());
    const KernelImage& img = info.image;
    constexpr MapFlags kText{.write = false, .execute = true};
    constexpr MapFlags kRead{};
    constexpr MapFlags kReadWrite{.write = true};

    bool ok = map_phys_range(pt, img.text, kKernelVma, kText, frames, diag, "kernel text") &&
              map_phys_range(pt, img.rodata, kKernelVma, kRead, frames, diag, "kernel rodata") &&
              map_phys_range(pt, img.bootinfo, kKernelVma, kRead, frames, diag, "boot info");
    if (ok && plan.private_data_phys) {
        ok = pt.map(img.data_va, plan.private_data_phys, align_up(img.private_size), kReadWrite, frames);
        if (!ok) diag.report("address space: cannot map private .data/.bss");
    }
    for (uint32_t i = 0; ok && plan.own && i < plan.own->count; ++i)
        ok = map_phys_range(pt, plan.own->ranges[i], kPhysmapBase, kReadWrite, frames, diag, "own partition");
    if (ok) ok = map_phys_range(pt, plan.extra_rw, kPhysmapBase, kReadWrite, frames, diag, "boot core low memory");
    if (ok) ok = map_phys_range(pt, plan.extra_ro, kPhysmapBase, kRead, frames, diag, "data template");
    if (ok)
        ok = map_phys_range(pt, plan.identity_exec, 0, MapFlags{.write = true, .execute = true}, frames, diag,
                            "trampoline");
    if (ok && plan.map_lapic) {
        uint64_t lapic = align_down(info.topology.lapic_phys);
        ok = pt.map(phys_to_virt(lapic), lapic, kPageSize, MapFlags{.write = true, .uncached = true}, frames);
        if (!ok) diag.report("address space: cannot map the local APIC page %#lx", lapic);
    }
    return ok ? root : 0;
}

} // namespace atoll_os
