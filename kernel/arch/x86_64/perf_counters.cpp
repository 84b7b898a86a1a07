// Starting the performance counters on this core (see the header).
#include "kernel/arch/x86_64/perf_counters.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/msr_checked.hpp"

namespace atoll_os {
namespace {

constexpr uint32_t kIntelFixedCtr0 = 0x309, kIntelFixedCtr1 = 0x30a, kIntelFixedCtrCtrl = 0x38d,
                   kIntelGlobalCtrl = 0x38f;
constexpr uint32_t kAmdPerfEvtSel0 = 0xc0010200, kAmdPerfCtr0 = 0xc0010201, kAmdPerfEvtSel1 = 0xc0010202,
                   kAmdPerfCtr1 = 0xc0010203, kAmdGlobalCtl = 0xc0000301;
constexpr uint64_t kCr4Pce = 1u << 8;

CounterChoice g_choice; // per core, like all globals

bool start_intel()
{
    uint64_t fixed_ctrl = 0, global = 0;
    if (!read_msr_checked(kIntelFixedCtrCtrl, &fixed_ctrl) || !read_msr_checked(kIntelGlobalCtrl, &global))
        return false;
    // Fixed counters 0 and 1: count in every ring (EN = 3), no PMI, no AnyThread.
    const uint64_t ctrl = (fixed_ctrl & ~0xffull) | 0x33;
    if (!write_msr_checked(kIntelFixedCtrCtrl, 0) || !write_msr_checked(kIntelFixedCtr0, 0) ||
        !write_msr_checked(kIntelFixedCtr1, 0) || !write_msr_checked(kIntelFixedCtrCtrl, ctrl) ||
        !write_msr_checked(kIntelGlobalCtrl, global | (3ull << 32))) {
        (void)write_msr_checked(kIntelFixedCtrCtrl, fixed_ctrl);
        return false;
    }
    return true;
}

bool start_amd()
{
    constexpr uint64_t kUsr = 1u << 16, kOs = 1u << 17, kEnable = 1u << 22;
    constexpr uint64_t kRetiredInstructions = 0xc0, kCyclesNotHalted = 0x76;
    if (!write_msr_checked(kAmdPerfEvtSel0, 0) || !write_msr_checked(kAmdPerfEvtSel1, 0) ||
        !write_msr_checked(kAmdPerfCtr0, 0) || !write_msr_checked(kAmdPerfCtr1, 0))
        return false;
    // PerfMonV2 adds a global enable that must let counters 0 and 1 count.
    const auto ext = cpu::cpuid(0x80000000);
    if (ext.eax >= 0x80000022 && (cpu::cpuid(0x80000022).eax & 1)) {
        uint64_t global = 0;
        if (!read_msr_checked(kAmdGlobalCtl, &global) || !write_msr_checked(kAmdGlobalCtl, global | 3)) return false;
    }
    if (!write_msr_checked(kAmdPerfEvtSel0, kRetiredInstructions | kUsr | kOs | kEnable) ||
        !write_msr_checked(kAmdPerfEvtSel1, kCyclesNotHalted | kUsr | kOs | kEnable)) {
        (void)write_msr_checked(kAmdPerfEvtSel0, 0);
        return false;
    }
    return true;
}

CounterCpuid read_cpuid()
{
    const auto leaf0 = cpu::cpuid(0);
    CounterCpuid c{};
    // "GenuineIntel" / "AuthenticAMD": ebx holds the first four characters.
    c.intel = leaf0.ebx == 0x756e6547 && leaf0.edx == 0x49656e69 && leaf0.ecx == 0x6c65746e;
    c.amd = leaf0.ebx == 0x68747541 && leaf0.edx == 0x69746e65 && leaf0.ecx == 0x444d4163;
    c.max_leaf = leaf0.eax;
    if (c.max_leaf >= 0xa) {
        const auto a = cpu::cpuid(0xa);
        c.leaf_a_eax = a.eax, c.leaf_a_ebx = a.ebx, c.leaf_a_ecx = a.ecx, c.leaf_a_edx = a.edx;
    }
    if (cpu::cpuid(0x80000000).eax >= 0x80000001) c.ext1_ecx = cpu::cpuid(0x80000001).ecx;
    return c;
}

} // namespace

bool perf_counters_enable()
{
    const CounterChoice choice = choose_counters(read_cpuid());
    const bool started = choice.kind == sys::kCountersIntelFixed ? start_intel()
                         : choice.kind == sys::kCountersAmdCore  ? start_amd()
                                                                 : false;
    if (!started) return false;
    cpu::write_cr4(cpu::read_cr4() | kCr4Pce);
    g_choice = choice;
    return true;
}

uint64_t perf_counters_word() { return g_choice.kind | uint64_t(g_choice.width) << 8; }

} // namespace atoll_os
