// An AP's life: build its own address space from its own partition while
// on the bring-up tables, switch to it, become a full kernel instance, then
// serve core 0's requests until told to stop.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/console/serial.hpp"
#include "kernel/lib/diag.hpp"
#include "kernel/log.hpp"
#include "kernel/test/ktest.hpp"
#include "percpu/address_space.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/bootstrap_frames.hpp"
#include "percpu/core_init.hpp"
#include "percpu/core_tasks.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/first_tasks.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/messages.hpp"
#include "percpu/messenger.hpp"
#include "percpu/remote_ipc.hpp"
#include "percpu/cmdline.hpp"

extern "C" char kernel_stack_top[];

namespace atoll_os {
namespace {

// Before this core has its .bss there is no Kcb and no log: say what went
// wrong on the UART directly and stop. Core 0 will report the timeout.
[[noreturn]] void bringup_fail(const char* what)
{
    Serial uart;
    uart.write(what, __builtin_strlen(what));
    cpu::halt_forever();
}

bool g_run_tests;
bool g_shutdown;

void on_run_tests(uint32_t, const ChannelMessage&) { g_run_tests = true; }
bool g_in_scheduler; // running first tasks: the loop below is left for good

// Counts first, so core 0 can check nothing was lost either way.
[[noreturn]] void acknowledge_shutdown()
{
    // A core the root task placed programs on checks that all of their
    // memory came back (everything they held was let go before the root
    // task ended, and core 0 stops the machine only after that).
    uint32_t selfcheck = core_task_here() ? (remote_ipc_release() && self_check_here() ? 1 : 2) : 0;
    Messenger& m = messenger();
    ShutdownAck ack{m.sent_to(0), m.received_from(0), selfcheck};
    (void)m.send_value(0, Msg::kShutdownAck, ack);
    cpu::halt_forever();
}

// Core 0 checks every pair of cores at shutdown: our counts for each peer.
void on_counts_request(uint32_t from, const ChannelMessage& msg)
{
    const uint32_t round = payload_as<CountsRequest>(msg).round, n = boot_info().topology.core_count;
    Messenger& m = messenger();
    CountsReport r{};
    for (uint32_t first = 0; first < n; first += 3) {
        r = CountsReport{round, uint16_t(first), uint16_t(n - first < 3 ? n - first : 3), {}, {}};
        for (uint32_t i = 0; i < r.count; ++i) {
            r.sent[i] = m.sent_to(first + i);
            r.received[i] = m.received_from(first + i);
        }
        (void)m.send_value(from, Msg::kCountsReport, r);
    }
}

void on_shutdown(uint32_t, const ChannelMessage&)
{
    g_shutdown = true;
    if (g_in_scheduler) acknowledge_shutdown(); // the scheduler's idle loop delivered this
}
void on_ping(uint32_t from, const ChannelMessage& msg)
{
    // Echo with a transformed check so a stale slot cannot pass as a reply.
    Ping p = payload_as<Ping>(msg);
    p.check = ~p.check;
    (void)messenger().send_value(from, Msg::kPong, p);
}

// A core busy with interrupts off (a long critical section, an SMI): its
// peers' messages wait in the rings and nothing is lost.
void on_stall(uint32_t, const ChannelMessage& msg)
{
    const uint64_t until = cpu::rdtsc() + payload_as<Stall>(msg).micros * (boot_info().tsc_hz / 1'000'000);
    cpu::cli();
    while (cpu::rdtsc() < until) cpu::pause();
    cpu::sti();
}

void report_online(uint32_t core)
{
    uint32_t apic = current_apic_id_from_cpuid(cpu::cpuid_callback, nullptr);
    ApicIdParts parts = decompose(apic, decode_apic_id_layout(cpu::cpuid_callback, nullptr));
    klog("core %u online: apic %u, package %u, core %u, thread %u, node %u", core, apic, parts.package, parts.core,
         parts.thread, boot_info().topology.cores[core].node);
}

[[noreturn]] void ap_main(uint32_t core, const BootstrapFrames* bringup_on_old_stack)
{
    BootstrapFrames bringup = *bringup_on_old_stack; // the old stack is about to become free memory
    install_kcb(core, boot_info().topology.cores[core].apic_id);
    load_descriptors();
    this_core().pml4_phys = cpu::read_cr3();
    init_core_instance(core, bringup);

    Messenger& m = messenger();
    m.set_handler(Msg::kRunTests, on_run_tests);
    m.set_handler(Msg::kShutdown, on_shutdown);
    m.set_handler(Msg::kCountsRequest, on_counts_request);
    m.set_handler(Msg::kPing, on_ping);
    m.set_handler(Msg::kStall, on_stall);
    report_online(core);
    this_core().online = true;
    (void)m.send_value(0, Msg::kOnline, CoreOnline{core, this_core().apic_id});

    for (;;) {
        m.wait_until([] { return g_run_tests || g_shutdown || first_tasks_here() || core_task_here(); }, ~0ull >> 24);
        if ((first_tasks_here() || core_task_here()) && !g_shutdown) {
            // Core 0 placed first tasks here, or the root task may: from now
            // on this core schedules them, serving channels when idle.
            g_in_scheduler = true;
            scheduler().resume();
        }
        if (g_run_tests) {
            g_run_tests = false;
            char filter[kCmdlineMax];
            if (!cmdline_value(boot_info().cmdline, "test", filter, sizeof filter)) filter[0] = '\0';
            KtestTally t = run_ktests(filter, false);
            (void)m.send_value(0, Msg::kTestsDone, TestsDone{t.passed, t.failed});
        }
        if (g_shutdown) break;
    }
    acknowledge_shutdown();
}

} // namespace

extern "C" [[noreturn]] void ap_entry64(uint32_t core)
{
    const BootInfo& info = boot_info();
    const Partition& part = info.partitions[core];
    BootstrapFrames frames(part, kDirectoryBytes, kBringupStackSize);

    // This core's private .data/.bss, from the pristine template.
    const KernelImage& img = info.image;
    uint64_t data = frames.alloc_contiguous(img.private_size);
    if (!data) bringup_fail("atoll: an AP has no room for its private data\n");
    __builtin_memcpy(phys_to_ptr<void>(data), phys_to_ptr<void>(img.data_template.base), img.data_size);
    __builtin_memset(phys_to_ptr<char>(data) + img.data_size, 0, img.private_size - img.data_size);

    AddressSpacePlan plan;
    plan.own = &part;
    plan.private_data_phys = data;
    plan.map_lapic = true;
    NullDiag quiet; // no log yet; failure is reported by core 0's timeout
    FrameSource src = frames.source();
    uint64_t pml4 = build_kernel_address_space(info, plan, src, quiet);
    if (!pml4) bringup_fail("atoll: an AP could not build its address space\n");
    cpu::write_cr3(pml4);

    // Continue on the private kernel stack; the bring-up stack stays mapped
    // (own partition) until ap_main has copied what it needs.
    asm volatile("mov %0, %%rsp\n"
                 "xor %%ebp, %%ebp\n"
                 "call *%3\n"
                 "ud2\n" ::"r"(kernel_stack_top),
                 "D"(uint64_t(core)), "S"(&frames), "r"(&ap_main)
                 : "memory");
    __builtin_unreachable();
}

} // namespace atoll_os
