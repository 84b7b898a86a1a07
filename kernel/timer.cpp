// Per-core tick: TSC-deadline or calibrated periodic APIC timer.
#include "kernel/timer.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/log.hpp"
#include "kernel/time.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "kernel/sched/scheduler.hpp"

namespace atoll_os {
namespace {

uint64_t g_next_deadline;

void on_deadline_tick(InterruptFrame&)
{
    Kcb& k = this_core();
    k.ticks = k.ticks + 1;
    // Advance from the previous deadline so ticks do not drift; skip
    // forward if we fell far behind (e.g. a long interrupts-off stretch).
    uint64_t now = cpu::rdtsc();
    g_next_deadline += k.timer_period_ticks;
    if (g_next_deadline <= now) g_next_deadline = now + k.timer_period_ticks;
    cpu::wrmsr(cpu::msr::kTscDeadline, g_next_deadline);
    scheduler().on_tick();
}

void on_periodic_tick(InterruptFrame&)
{
    Kcb& k = this_core();
    k.ticks = k.ticks + 1;
    scheduler().on_tick();
}

// APIC timer counts (divide 16) per second, measured against the TSC.
uint64_t measure_apic_timer_hz()
{
    constexpr uint64_t kWindowUs = 10000;
    lapic().timer_masked_count(0xffffffffu);
    uint64_t start = lapic().timer_current();
    delay_micros(kWindowUs);
    uint64_t end = lapic().timer_current();
    lapic().timer_masked_count(0);
    return (start - end) * (1000000 / kWindowUs);
}

} // namespace

void start_core_timer()
{
    Kcb& k = this_core();
    k.timer_hz = kTickHz;
    if (boot_info().tsc_deadline) {
        k.timer_period_ticks = boot_info().tsc_hz / kTickHz;
        set_interrupt_handler(vector::kTimer, on_deadline_tick);
        lapic().timer_deadline_mode(vector::kTimer);
        g_next_deadline = cpu::rdtsc() + k.timer_period_ticks;
        cpu::wrmsr(cpu::msr::kTscDeadline, g_next_deadline);
        klog("timer: TSC-deadline, %u Hz (TSC %lu kHz)", kTickHz, boot_info().tsc_hz / 1000);
        return;
    }
    uint64_t apic_hz = measure_apic_timer_hz();
    uint64_t count = apic_hz / kTickHz;
    if (count == 0 || count > 0xffffffffu) count = 0x100000; // implausible measurement: still tick
    k.timer_period_ticks = count;
    set_interrupt_handler(vector::kTimer, on_periodic_tick);
    lapic().timer_periodic(vector::kTimer, uint32_t(count));
    klog("timer: APIC periodic, %u Hz, %lu kHz APIC clock (calibrated against TSC)", kTickHz, apic_hz / 1000);
}

} // namespace atoll_os
