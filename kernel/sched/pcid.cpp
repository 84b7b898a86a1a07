// PCID allocation per core, by generation.
#include "kernel/sched/pcid.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/object/task.hpp"
#include "percpu/kcb.hpp"

namespace atoll_os {

bool pcid_state::enabled;

namespace {

constexpr uint64_t kCr4Pge = 1u << 7, kCr4Pcide = 1u << 17;
constexpr uint64_t kNoFlush = 1ull << 63;

// Per core, like every kernel global.
PcidAllocator g_pcids;

// Every PCID's translations go: toggling CR4.PGE flushes the whole TLB,
// global entries and all contexts.
void flush_all_contexts()
{
    cpu::write_cr3(this_core().pml4_phys); // PCID 0, the kernel's own tables
    uint64_t cr4 = cpu::read_cr4();
    cpu::write_cr4(cr4 & ~kCr4Pge);
    cpu::write_cr4(cr4);
}

} // namespace

bool pcid_enable()
{
    if (!(cpu::cpuid(1).ecx & (1u << 17))) return false;
    // CR3 holds PCID 0 here (its low bits are zero), as setting PCIDE requires.
    cpu::write_cr4(cpu::read_cr4() | kCr4Pcide);
    pcid_state::enabled = true;
    return true;
}

uint64_t cr3_with_pcid(Task& task)
{
    const uint64_t tables = task.pml4_phys();
    PcidAllocator::Load l = g_pcids.load(task.pcid, task.pcid_generation, task.tlb_stale);
    if (l.flush_all) flush_all_contexts();
    return tables | l.pcid | (l.flush_pcid ? 0 : kNoFlush);
}

} // namespace atoll_os
