// Per-core instance initialization, identical on every core.
#include "percpu/core_init.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/arch/x86_64/perf_counters.hpp"
#include "kernel/debug/backtrace.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "kernel/timer.hpp"
#include "kernel/arch/x86_64/syscall_setup.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/log_diag.hpp"
#include "percpu/log_forward.hpp"
#include "percpu/cmdline.hpp"
#include "percpu/device_interrupts.hpp"
#include "percpu/messenger.hpp"
#include "kernel/sched/pcid.hpp"
#include "percpu/first_tasks.hpp"
#include "percpu/core_tasks.hpp"
#include "percpu/remote_invoke.hpp"
#include "percpu/span.hpp"
#include "percpu/remote_ipc.hpp"
#include "percpu/transfer.hpp"

extern "C" char kernel_stack[], kernel_stack_top[];

namespace atoll_os {

uint64_t directory_magic() { return boot_info().boot_tsc ^ 0x4154304c4c444952ull; }

const char* enable_cpu_protections()
{
    auto leaf1 = cpu::cpuid(1);
    auto leaf7 = cpu::cpuid(7, 0);
    uint64_t cr4 = cpu::read_cr4();
    static char desc[64]; // per core, like all globals
    char* p = desc;
    auto note = [&](const char* s) {
        while (*s) *p++ = *s++;
    };
    if (leaf1.edx & (1u << 13)) cr4 |= 1u << 7, note("PGE ");
    if (leaf7.ebx & (1u << 7)) cr4 |= 1u << 20, note("SMEP ");
    if (leaf7.ebx & (1u << 20)) cr4 |= 1u << 21, note("SMAP ");
    if (leaf7.ecx & (1u << 2)) cr4 |= 1u << 11, note("UMIP ");
    cpu::write_cr4(cr4);
    if (pcid_enable()) note("PCID ");
    if (cpu::rdmsr(cpu::msr::kEfer) & (1u << 11)) note("NX ");
    if (perf_counters_enable()) note("RDPMC "); // interrupts are still off here
    *p = '\0';
    return desc;
}

void init_core_instance(uint32_t core, const BootstrapFrames& bringup)
{
    Kcb& k = this_core();
    const BootInfo& info = boot_info();
    LogDiag diag("memory");
    set_kernel_debug_log(cmdline_has(info.cmdline, "debug"));
    allow_stack_range(reinterpret_cast<uint64_t>(kernel_stack), reinterpret_cast<uint64_t>(kernel_stack_top));

    Partition left = bringup.remaining(info.partitions[core]);
    if (!k.frames.init(left, kPhysmapBase, diag)) panic("core %u: frame allocator rejected its partition", core);
    k.heap.init(k.frames, kPhysmapBase);

    const char* protections = enable_cpu_protections();
    user_mode_init_core(cpu::read_cr4() & (1u << 21));
    k.scheduler = &scheduler();
    // Half of this core's memory may be spent by the tasks the kernel starts
    // itself; the rest stays for kernel use (channels, page tables).
    k.boot_quota = Quota(k.frames.free_bytes() / 2);
    lapic().init(phys_to_virt(info.topology.lapic_phys));
    if (core == 0) start_device_interrupts(); // device interrupts belong to the boot core alone
    k.messenger = &messenger();
    messenger().init(core, info.directory_phys[core], directory_magic());
    remote_ipc_init();
    remote_invoke_init();
    span_init();
    transfer_init();
    install_first_task_handlers();
    install_core_task_handlers();
    cpu::sti();
    // From here every line from an AP goes through core 0, which owns the
    // UART; the first one creates the channel.
    if (core == 0) install_log_receiver();
    else set_log_sink(forward_log_line);
    start_core_timer();
    klog("memory: %lu KiB in %u range(s) on node %u; %s; %s", k.frames.free_bytes() / 1024, left.count,
         info.partitions[core].node, lapic().x2apic() ? "x2APIC" : "xAPIC", protections);
}

} // namespace atoll_os
