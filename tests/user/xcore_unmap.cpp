// Revoking a frame mapped on K other cores, K = 1 ... all: the Barrelfish
// unmap experiment in Atoll's terms. Core 0 makes a page, passes it to cores
// 1..K (each maps it and touches it, so its TLB holds the translation), then
// revokes its original capability. The revoke returns only when every one
// of those cores has unmapped the page, flushed it from its TLB and
// acknowledged (percpu/remote_ipc.cpp: remote_revoke). One BENCH line per K
// (atoll/frame_revoke_unmap/cross_core/holders_K); each holder then checks
// that its copy is void.
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

constexpr uint64_t kFrame = 100, kHeld = 101; // above the core endpoints (slots 16 .. 16 + 63)
constexpr uint64_t kWindow = 0x0000300000000000ull;
constexpr uint64_t kTake = 1, kDrop = 2, kQuit = 3;
constexpr unsigned kSamples = 16;

void c(bool ok, const char* what) { check(ok, "xcore_unmap", what); }

// A second revoke of the page while the first waits for its holders: it
// must return with the first, not before (a holder may still reach the
// memory until it acknowledged).
alignas(16) char g_joiner_stack[8192];
volatile uint64_t g_joiner_returned;
volatile Status g_joiner_status;
void joiner(Utcb*)
{
    g_joiner_status = cap_revoke(kFrame);
    g_joiner_returned = 1;
    thread_exit(0);
}

uint64_t endpoint_of(uint64_t core) { return sys::kSlotCoreEndpoints + core; }

// A holder: maps what it is given and touches it; on kDrop, checks that the
// revoke made its copy void and lets it go.
int holder(uint64_t me)
{
    uint64_t void_after_revoke = 0, drops = 0;
    for (;;) {
        main_utcb->receive_slot = kHeld;
        Message m{};
        uint64_t badge = 0, info = 0;
        Status s = ipc_syscall(sys::kReceive, endpoint_of(me), 0, m, &badge, &info);
        if (!ok(s) || m.w[0] == kQuit) {
            if (!ok(s)) print("receive failed: %s", status_message(s));
            (void)reply(Message{});
            break;
        }
        Status answer = Status::kOk;
        if (m.w[0] == kTake) {
            answer = (info & ipcflags::kTransferCap) ? Status(main_utcb->transfer_status) : Status::kInvalidArgument;
            if (ok(answer)) answer = map(sys::kSlotSelf, kHeld, kWindow, kMapWrite);
            if (ok(answer)) *reinterpret_cast<volatile uint64_t*>(kWindow) = me; // the translation is cached now
        } else {
            ++drops;
            void_after_revoke += map(sys::kSlotSelf, kHeld, kWindow, kMapWrite) == Status::kDead;
            (void)cap_delete(kHeld);
        }
        (void)reply(Message{{uint64_t(answer), 0, 0, 0}});
    }
    c(drops > 0 && void_after_revoke == drops, "every_revoke_voided_this_cores_copy");
    return g_check_failures;
}

// Core 0: a fresh page given to cores 1..k (untimed), then its revoke (timed).
bool give_to(uint64_t k)
{
    bool all = ok(frame_create(sys::kSlotSelf, kFrame, 4096));
    for (uint64_t core = 1; core <= k && all; ++core) {
        main_utcb->transfer_slot = kFrame;
        main_utcb->transfer_rights = rights::kRead | rights::kWrite;
        Message m{{kTake, 0, 0, 0}};
        all = ok(ipc_syscall(sys::kCall, endpoint_of(core), ipcflags::kTransferCap, m)) && ok(Status(m.w[0]));
    }
    return all;
}

void drop_from(uint64_t k)
{
    for (uint64_t core = 1; core <= k; ++core) {
        Message m{{kDrop, 0, 0, 0}};
        (void)call(endpoint_of(core), m);
    }
    (void)cap_delete(kFrame);
}

int owner(uint64_t cores, uint64_t hz)
{
    print("bench: TSC %lu Hz", hz);
    bool given = true, revoked = true;
    for (uint64_t k = 1; k < cores; ++k) {
        // Each revoke alone between two TSC reads: it costs hundreds of
        // times what the reads do, so nothing is subtracted.
        bench::Samples samples;
        for (unsigned i = 0; i <= kSamples; ++i) { // the first is a warm-up
            given = give_to(k) && given;
            const uint64_t t0 = bench::tsc_mark();
            revoked = ok(cap_revoke(kFrame)) && revoked;
            const uint64_t t1 = bench::tsc_mark();
            if (i) samples.add(t1 - t0);
            drop_from(k);
        }
        char name[64];
        (void)format(name, sizeof name, "atoll/frame_revoke_unmap/cross_core/holders_%lu", k);
        bench::report(name, hz, kSamples, samples);
    }
    c(given, "every_core_mapped_the_page");
    c(revoked, "every_revoke_returned_ok");

    // Two revokes at once: the joiner (lower priority) runs while ours
    // waits for the holders; ours is made ready first when they confirm,
    // so the joiner cannot have returned before we do.
    const uint64_t k = cores - 1;
    bool joined = give_to(k) && ok(thread_create(sys::kSlotSelf, joiner, g_joiner_stack + sizeof g_joiner_stack, 99));
    joined = ok(cap_revoke(kFrame)) && joined && !g_joiner_returned;
    while (!g_joiner_returned) (void)sleep_micros(100); // it runs only while we sleep
    c(joined && ok(g_joiner_status), "a_concurrent_revoke_returns_with_the_first");
    drop_from(k);
    for (uint64_t core = 1; core < cores; ++core) {
        Message m{{kQuit, 0, 0, 0}};
        (void)call(endpoint_of(core), m);
    }
    return g_check_failures;
}

} // namespace

int main()
{
    const CoreInfo info = core_info();
    const uint64_t cores = info.cores < sys::kMaxCoreEndpoints ? info.cores : sys::kMaxCoreEndpoints;
    return info.core == 0 ? owner(cores, tsc_frequency()) : holder(info.core);
}
