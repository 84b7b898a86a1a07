// One address space used on K cores, and its unmap with TLB shootdown: the
// Barrelfish unmap experiment proper. Core 0's task spans itself onto
// cores 1, 2, ... (paid by the first task there, which passes core 0 its
// Task capability); a thread in each span reads a page of the shared
// address space, again and again, sleeping between reads. Core 0 unmaps the page: the unmap returns only
// when every span core has flushed it (percpu/span.hpp). Then core 0 writes
// a poison value into the frame through a second mapping: a core that still
// reached the page through a stale translation would read it. Every reader
// instead faults, once, at the page; core 0 (its pager) maps it again and
// resumes them all, and none faults again: the new mapping reached every
// span. One BENCH line per K = 1 .. all cores
// (atoll/unmap/shared_as/cores_K; K = 1 is the plain local unmap).
#include "bench/atoll/measure.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

// Slots above the core endpoints (16 .. 16 + 63); one of each per core.
constexpr uint64_t kMaxCores = 32;
constexpr uint64_t kFrame = 100, kAlias = 101, kFaults = 102, kTemp = 103, kHostTask = 104,
                   kSpan = kHostTask + kMaxCores, kFaultsFor = kSpan + kMaxCores, kSaved = kFaultsFor + kMaxCores;
static_assert(kSaved + kMaxCores <= 256);
constexpr uint64_t kWindow = 0x0000300000000000ull, kAliasVa = 0x0000300000100000ull;
constexpr uint64_t kGood = 0x600d, kPoison = 0xdead;
constexpr uint64_t kHello = 1, kQuit = 2;
constexpr unsigned kSamples = 16;
constexpr uint64_t kSpanQuota = 256 * 1024;
constexpr uint64_t kReadEveryUs = 20; // in practice until the span core's next tick

void c(bool ok, const char* what) { check(ok, "xcore_span", what); }

uint64_t endpoint_of(uint64_t core) { return sys::kSlotCoreEndpoints + core; }

// What the readers and core 0 share: this is one address space.
struct alignas(64) Reader {
    volatile uint64_t beats;
    volatile uint64_t stale; // reads of the poison through the unmapped page
    volatile uint64_t core;  // where its kernel says it runs
    volatile uint64_t started;
};
Reader g_readers[kMaxCores];
volatile uint64_t g_quit;
alignas(16) char g_stacks[kMaxCores][8192];

// A span's thread: reads the shared page, then sleeps, until told to stop.
// Sleeping keeps the translation: the core halts with this task's CR3 still
// loaded (the scheduler writes CR3 only when another task runs, and nothing
// else runs here), so the TLB entry the unmap must shoot down is there. It
// also leaves the span cores halted, so the timed unmap counts the
// shootdown's own work, including waking a halted core, and not readers
// spinning meanwhile (under -icount every vCPU's instructions count, and a
// spinning vCPU can starve a woken one in QEMU 7.2's round-robin). No
// capability is used (the span's capability space is its own and empty).
[[noreturn]] void reader(Utcb*, uint64_t me)
{
    Reader& r = g_readers[me];
    r.core = current_core();
    r.started = 1;
    auto* page = reinterpret_cast<volatile uint64_t*>(kWindow);
    while (!g_quit) {
        if (*page == kPoison) r.stale = r.stale + 1;
        r.beats = r.beats + 1;
        (void)sleep_micros(kReadEveryUs);
    }
    thread_exit(0);
}

// ---- cores 1 .. n-1: give core 0 our task to pay for its span, then wait ----

int host(uint64_t me)
{
    main_utcb->transfer_slot = sys::kSlotSelf;
    main_utcb->transfer_rights = rights::kCreate;
    Message m{{kHello, me, 0, 0}};
    Status s = ipc_syscall(sys::kCall, endpoint_of(0), ipcflags::kTransferCap, m);
    c(ok(s), "gave_core0_this_task");
    Message q{};
    s = ipc_syscall(sys::kReceive, endpoint_of(me), 0, q);
    (void)reply(Message{});
    return ok(s) && q.w[0] == kQuit ? g_check_failures : g_check_failures + 1;
}

// ---- core 0 ----

uint64_t g_hz;

// Waits up to two seconds for `done`, sleeping between looks: a core
// spinning in user mode here would take the machine from the readers
// under QEMU's round-robin modes (icount), and waste it on hardware.
template <class Pred> bool wait_for(Pred done)
{
    const uint64_t deadline = bench::tsc_mark() + 2 * g_hz;
    while (!done()) {
        if (bench::tsc_mark() > deadline) return false;
        (void)sleep_micros(20);
    }
    return true;
}

bool every_reader_moved(uint64_t k)
{
    uint64_t seen[kMaxCores];
    for (uint64_t r = 1; r <= k; ++r) seen[r] = g_readers[r].beats;
    for (uint64_t r = 1; r <= k; ++r)
        if (!wait_for([&] { return g_readers[r].beats != seen[r]; })) return false;
    return true;
}

uint64_t stale_reads()
{
    uint64_t n = 0;
    for (const Reader& r : g_readers) n += r.stale;
    return n;
}

// Unmaps the page while k readers use it (timed), then serves their faults.
struct Round {
    uint64_t ticks = 0;
    bool unmapped = false, faults_right = false, remapped = false;
};
Round unmap_round(uint64_t k)
{
    Round out;
    const uint64_t t0 = bench::tsc_mark();
    out.unmapped = ok(unmap(kFrame));
    const uint64_t t1 = bench::tsc_mark();
    out.ticks = t1 - t0;
    *reinterpret_cast<volatile uint64_t*>(kAliasVa) = kPoison; // unreachable through kWindow now
    // Every reader faults at the page, once: keep each answer for later.
    // Polled, so a reader still reading it (the poison: a stale
    // translation) ends the round at once instead of never faulting.
    out.faults_right = true;
    uint64_t faults = 0;
    (void)wait_for([&] {
        while (faults < k && !stale_reads()) {
            Message m{};
            uint64_t badge = 0, info = 0;
            Status s = ipc_syscall(sys::kReceive, kFaults, ipcflags::kNonBlocking, m, &badge, &info);
            if (s == Status::kWouldBlock) return false;
            out.faults_right = out.faults_right && ok(s) && (info & sys::kFaultMessage) && m.w[0] == kWindow &&
                               badge >= 1 && badge <= k && ok(reply_save(sys::kSlotSelf, kSaved + faults));
            ++faults;
        }
        return true;
    });
    out.faults_right = out.faults_right && faults == k;
    *reinterpret_cast<volatile uint64_t*>(kAliasVa) = kGood;
    out.remapped = ok(map(sys::kSlotSelf, kFrame, kWindow, kMapWrite));
    for (uint64_t i = 0; i < faults; ++i) {
        out.remapped = ok(reply_with(kSaved + i, Message{{sys::kFaultResume, 0, 0, 0}})) && out.remapped;
        (void)cap_delete(kSaved + i); // a reply is used once
    }
    return out;
}

// Nothing faulted again: the mapping made after the unmap reached them all.
bool no_fault_waiting()
{
    Message m{};
    return ipc_syscall(sys::kReceive, kFaults, ipcflags::kNonBlocking, m) == Status::kWouldBlock;
}

void report(uint64_t cores_used, uint64_t hz, bench::Samples& samples)
{
    char name[64];
    (void)format(name, sizeof name, "atoll/unmap/shared_as/cores_%lu", cores_used);
    bench::report(name, hz, kSamples, samples);
}

bool span_onto(uint64_t k)
{
    bool all = ok(task_span(kHostTask + k, kSpan + k, kSpanQuota));
    all = all && ok(cap_copy(kFaults, kFaultsFor + k, rights::kSend, k));
    all = all && ok(task_set_fault_handler(kSpan + k, kFaultsFor + k));
    auto* sp = reinterpret_cast<uint64_t*>(g_stacks[k] + sizeof g_stacks[k]);
    *--sp = 0; // a return address: the entry is entered as if called
    all = all && ok(thread_start(kSpan + k, reinterpret_cast<uint64_t>(&reader), reinterpret_cast<uint64_t>(sp), 1,
                                 k));
    return all && wait_for([&] { return g_readers[k].started != 0; });
}

int origin(uint64_t cores, uint64_t hz)
{
    g_hz = hz;
    print("bench: TSC %lu Hz", hz);
    // Every other core's task, to pay for our span there.
    bool hellos = true;
    for (uint64_t i = 1; i < cores; ++i) {
        main_utcb->receive_slot = kTemp;
        Message m{};
        uint64_t info = 0;
        Status s = ipc_syscall(sys::kReceive, endpoint_of(0), 0, m, nullptr, &info);
        const uint64_t from = m.w[1];
        hellos = hellos && ok(s) && m.w[0] == kHello && from >= 1 && from < cores &&
                 (info & ipcflags::kTransferCap) && ok(cap_move(kTemp, kHostTask + from));
        (void)reply(Message{});
    }
    c(hellos, "every_core_gave_its_task");

    bool setup = ok(frame_create(sys::kSlotSelf, kFrame, 4096)) && ok(cap_copy(kFrame, kAlias, rights::kAll)) &&
                 ok(map(sys::kSlotSelf, kFrame, kWindow, kMapWrite)) &&
                 ok(map(sys::kSlotSelf, kAlias, kAliasVa, kMapWrite)) &&
                 ok(endpoint_create(sys::kSlotSelf, kFaults));
    *reinterpret_cast<volatile uint64_t*>(kAliasVa) = kGood;
    c(setup, "frame_mapped_twice_and_fault_endpoint");

    // Not on our own core, and not twice on one core.
    c(task_span(sys::kSlotSelf, kSpan, kSpanQuota) == Status::kInvalidArgument, "no_span_on_the_origins_core");

    // K = 1: the local unmap, no other core involved.
    {
        bench::Samples samples;
        bool fine = true;
        for (unsigned i = 0; i <= kSamples; ++i) {
            const uint64_t t0 = bench::tsc_mark();
            fine = ok(unmap(kFrame)) && fine;
            const uint64_t t1 = bench::tsc_mark();
            fine = ok(map(sys::kSlotSelf, kFrame, kWindow, kMapWrite)) && fine;
            if (i) samples.add(t1 - t0);
        }
        c(fine, "local_unmap_and_map");
        report(1, hz, samples);
    }

    bool spans = true, ran_there = true, unmapped = true, faults = true, remapped = true, quiet = true;
    for (uint64_t k = 1; k < cores; ++k) {
        if (!span_onto(k)) {
            spans = false;
            break;
        }
        ran_there = ran_there && g_readers[k].core == k;
        bench::Samples samples;
        for (unsigned i = 0; i <= kSamples; ++i) { // the first is a warm-up
            // Each reader has the page in its TLB: it read it since the last map.
            quiet = every_reader_moved(k) && quiet;
            Round r = unmap_round(k);
            unmapped = unmapped && r.unmapped;
            faults = faults && r.faults_right;
            remapped = remapped && r.remapped;
            if (i) samples.add(r.ticks);
            if (!r.faults_right) break; // a reader is lost (stale, or faulted elsewhere): stop measuring
        }
        if (!faults) break;
        quiet = every_reader_moved(k) && no_fault_waiting() && quiet;
        report(k + 1, hz, samples);
    }
    c(spans, "spanned_onto_every_core");
    c(ran_there, "span_threads_run_on_their_cores");
    c(unmapped, "every_unmap_returned_ok");
    c(stale_reads() == 0, "no_core_read_the_page_after_the_unmap_returned");
    c(faults, "every_reader_faulted_once_per_unmap");
    c(remapped && quiet, "the_new_mapping_reached_every_span");

    if (cores > 1) {
        c(task_span(kHostTask + 1, kTemp, kSpanQuota) == Status::kAddressInUse, "one_span_per_core");
        c(map(kSpan + 1, kAlias, 0x0000300000200000ull, kMapWrite) == Status::kWrongCore,
          "a_span_is_mapped_through_its_origin");
    }

    // The readers stop; each span ends with its last thread.
    g_quit = 1;
    bool ended = true;
    for (uint64_t k = 1; k < cores && spans; ++k) {
        TaskInfo info{};
        for (uint64_t spins = 0;; ++spins) {
            if (!ok(task_info(kSpan + k, info)) || info.state != sys::kTaskRunning || spins > 1'000'000) break;
            yield();
        }
        ended = ended && info.state == sys::kTaskExited && info.exit_code == 0;
        (void)cap_delete(kSpan + k);
    }
    c(ended, "every_span_ended_with_its_thread");
    for (uint64_t core = 1; core < cores; ++core) {
        (void)cap_delete(kHostTask + core);
        Message m{{kQuit, 0, 0, 0}};
        (void)call(endpoint_of(core), m);
    }
    return g_check_failures;
}

} // namespace

int main()
{
    const CoreInfo info = core_info();
    const uint64_t cores = info.cores < kMaxCores ? info.cores : kMaxCores;
    return info.core == 0 ? origin(cores, tsc_frequency()) : host(info.core);
}
