// In-kernel tests of the per-core CPU set-up: exceptions, timer, symbols, panic.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/arch/x86_64/msr_checked.hpp"
#include "kernel/debug/ksymtab.hpp"
#include "kernel/panic.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"

extern "C" void ktest_trigger_ud2();
extern "C" char ktest_trigger_ud2_resume[];

namespace atoll_os {
namespace {

// A named, non-inlined frame so the panic test's backtrace has something
// recognizable to show.
[[gnu::noinline]] void deliberate_panic_inner(unsigned core)
{
    panic("deliberate panic requested by the panic self-test on core %u", core);
}

bool contains(const char* haystack, const char* needle)
{
    for (; *haystack; ++haystack) {
        const char *h = haystack, *n = needle;
        while (*n && *h == *n) ++h, ++n;
        if (!*n) return true;
    }
    return false;
}

} // namespace

KTEST(exception_reported_and_recovered, KtestScope::kEveryCore)
{
    // #UD goes through this core's own IDT; the probe turns it into a resume.
    Kcb& k = this_core();
    k.probe.hits = 0;
    k.probe.resume_ip = reinterpret_cast<uint64_t>(ktest_trigger_ud2_resume);
    k.probe.vector = 6;
    ktest_trigger_ud2();
    KEXPECT_EQ(k.probe.hits, 1u);
    KEXPECT_EQ(k.probe.vector, 0xffu);
}

KTEST(checked_msr_access_returns_false_on_a_fault, KtestScope::kEveryCore)
{
    // The optional-feature path (performance counters): a #GP inside the
    // checked access becomes `false`, and the probe is disarmed after.
    // TCG ignores unknown MSRs, so the fault here is the store of the value
    // through a non-canonical pointer, in the same routine.
    const bool were_on = cpu::interrupts_enabled();
    cpu::cli();
    uint64_t efer = 0;
    KEXPECT(read_msr_checked(cpu::msr::kEfer, &efer));
    KEXPECT_EQ(efer, cpu::rdmsr(cpu::msr::kEfer));
    KEXPECT(!read_msr_checked(cpu::msr::kEfer, reinterpret_cast<uint64_t*>(0xdead000000000000ull)));
    KEXPECT_EQ(this_core().probe.vector, 0xffu);
    KEXPECT(write_msr_checked(cpu::msr::kEfer, efer)); // the same value back: nothing changes
    if (were_on) cpu::sti();
}

KTEST(timer_ticks_on_every_core, KtestScope::kEveryCore)
{
    KEXPECT(cpu::interrupts_enabled());
    uint64_t before = this_core().ticks;
    // A liveness check, not a timing one: under TCG with many vCPUs on few
    // host CPUs a vCPU may not run for a long while.
    uint64_t deadline = cpu::rdtsc() + micros_to_tsc(10'000'000);
    while (this_core().ticks < before + 3 && cpu::rdtsc() < deadline) cpu::sti_hlt();
    KEXPECT(this_core().ticks >= before + 3);
}

KTEST(apic_id_matches_topology, KtestScope::kEveryCore)
{
    uint32_t core = this_core().core;
    uint32_t from_cpuid = current_apic_id_from_cpuid(cpu::cpuid_callback, nullptr);
    KEXPECT_EQ(from_cpuid, boot_info().topology.cores[core].apic_id);
    KEXPECT_EQ(lapic().id(), from_cpuid);
}

KTEST(symbol_table_names_functions, KtestScope::kBootCore)
{
    SymbolHit hit = ksym_lookup(reinterpret_cast<uint64_t>(&deliberate_panic_inner) + 1);
    KEXPECT(hit.name != nullptr);
    KEXPECT(contains(hit.name, "deliberate_panic_inner"));
    KEXPECT_EQ(hit.offset, 1u);
}

KTEST(deliberate_panic, KtestScope::kManual)
{
    // Panics on the last core, so the report shows it comes from that core.
    uint32_t core = this_core().core;
    if (core + 1 == boot_info().topology.core_count) deliberate_panic_inner(core);
}

} // namespace atoll_os
