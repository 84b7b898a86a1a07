// Threads and faults on one core: creating a thread that runs, signals and
// exits, and a page fault resolved by a user-level pager thread of the
// same task.
#include "bench/atoll/benches.hpp"
#include "bench/atoll/measure.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"

namespace atoll_os::bench {
namespace {

using namespace atoll_os::user;

// Every first task's main thread runs at 100; its helpers here run at the
// same priority, so waking the main thread never preempts them.
constexpr uint64_t kPriority = 100;

// Faults: each touch maps one more page, and nothing unmaps them until the
// task exits, so this figure gets fewer operations than the others (528
// pages, 2 MiB of the task's 16 MiB quota).
constexpr unsigned kFaultBatches = 32, kFaultPerBatch = 16;
constexpr uint64_t kRegion = 0x0000100000000000ull; // nothing else lives here
constexpr uint64_t kRegionBytes = uint64_t(kFaultBatches + 1) * kFaultPerBatch * 4096; // warm-up included

alignas(16) char g_child_stack[4096], g_pager_stack[16384];
volatile uint64_t* g_next_page = reinterpret_cast<volatile uint64_t*>(kRegion);
unsigned g_failed_creates;

// There is no join: the new thread says it ran by signalling, then exits.
void signal_and_exit(Utcb*)
{
    (void)signal(slot::kThreadDone, 1);
    thread_exit(0);
}

// Resolves page faults in the region by mapping the page and resuming the
// thread; anything else kills the faulting thread and ends the pager (with
// a failure status, so the task's exit shows it).
void pager(Utcb*)
{
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, slot::kFaults, 0, m, &badge, &info);
    while (ok(s) && (info & sys::kFaultMessage)) {
        uint64_t page = m.w[0] & ~uint64_t(4095), vector = m.w[2] & 0xff;
        if (vector != 14 || page < kRegion || page >= kRegion + kRegionBytes ||
            !ok(map_anonymous(sys::kSlotSelf, page, 4096, kMapWrite))) {
            print("bench: FAILED: pager: fault at %#lx (vector %lu) not resolved", m.w[0], vector);
            (void)reply(Message{{sys::kFaultKill, 0, 0, 0}});
            thread_exit(1);
        }
        m = Message{{sys::kFaultResume, 0, 0, 0}}; // retry the faulting instruction
        s = ipc_syscall(sys::kReplyReceive, slot::kFaults, 0, m, &badge, &info);
    }
    thread_exit(0); // an ordinary message: the benchmark is over
}

unsigned check(bool passed, const char* what)
{
    if (!passed) print("bench: FAILED: %s", what);
    return passed ? 0 : 1;
}

} // namespace

unsigned thread_benches(uint64_t tsc_hz)
{
    unsigned failures = 0;

    // Create, run, signal, exit, and back to the creator: the signal makes
    // the waiting creator ready without preempting the new thread (same
    // priority), so it has exited when the wait returns and the next one
    // can have the same stack. Its UTCB page is mapped (and zeroed) at
    // creation and unmapped at exit, so that is part of the figure.
    if (check(ok(notification_create(sys::kSlotSelf, slot::kThreadDone)), "thread_create: notification")) return 1;
    measure("atoll/thread_create_run_exit/same_core", tsc_hz, 64, 64, 1, [] {
        uint64_t bits;
        if (ok(thread_create(sys::kSlotSelf, signal_and_exit, g_child_stack + sizeof g_child_stack, kPriority)))
            (void)wait(slot::kThreadDone, bits);
        else
            ++g_failed_creates; // (no thread, so no signal to wait for)
    });
    failures += check(g_failed_creates == 0, "atoll/thread_create_run_exit/same_core");

    // A store to a page never touched: #PF, the fault as a call to the
    // pager's endpoint, the pager maps a zeroed page (kMapAnonymous) and
    // replies kFaultResume, and the store is retried.
    if (check(ok(endpoint_create(sys::kSlotSelf, slot::kFaults)) &&
                  ok(task_set_fault_handler(sys::kSlotSelf, slot::kFaults)) &&
                  ok(thread_create(sys::kSlotSelf, pager, g_pager_stack + sizeof g_pager_stack, kPriority)),
              "page_fault: pager"))
        return failures + 1;
    (void)yield(); // the pager waits on its endpoint
    measure("atoll/page_fault/same_core/user_pager", tsc_hz, kFaultBatches, kFaultPerBatch, 1, [] {
        *g_next_page = 1;
        g_next_page = g_next_page + 4096 / sizeof(uint64_t);
    });
    failures += check(g_next_page == reinterpret_cast<volatile uint64_t*>(kRegion + kRegionBytes),
                      "atoll/page_fault/same_core/user_pager: pages touched");
    (void)send(slot::kFaults, Message{}); // the pager's stop
    (void)yield();                        // and it exits before main does (the last thread's status is the task's)
    return failures;
}

} // namespace atoll_os::bench
