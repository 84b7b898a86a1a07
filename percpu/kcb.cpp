// This instance's Kcb and the GS base that points at it.
#include "percpu/kcb.hpp"

#include "kernel/arch/x86_64/cpu.hpp"

namespace atoll_os {
namespace {
Kcb g_kcb; // in private .bss: one per instance
} // namespace

void install_kcb(uint32_t core, uint32_t apic_id)
{
    g_kcb.self = &g_kcb;
    g_kcb.core = core;
    g_kcb.apic_id = apic_id;
    g_kcb.probe.vector = 0xff;
    cpu::wrmsr(cpu::msr::kGsBase, reinterpret_cast<uint64_t>(&g_kcb));
    cpu::wrmsr(cpu::msr::kKernelGsBase, 0);
}

} // namespace atoll_os
