// URPC round trip between every ordered pair of cores, one pair at a time.
// One copy runs on each core (init=xcore_urpc_all,xcore_urpc_all@1,...).
// A thread on core 0 directs: it makes one 8 KiB frame per pair of cores
// and passes it to both (each maps it), then for every ordered pair (i, j)
// tells j to serve and i to measure, and waits for i. Each core's main
// thread takes those orders on its core endpoint. The frame of {a, b}
// holds two rings, a -> b and b -> a; a server zeroes both before it
// answers "serving", so each ordered pair starts from fresh rings. Both
// sides poll (with pause) and never sleep while a pair runs, so the
// channel needs no notification (Sender<.., false>: no fence).
// One BENCH line per ordered pair, atoll/urpc_roundtrip/cross_core/cI_cJ/polling
// (xcore_urpc's c0_c1 figure is the channel that may sleep: with fences).
#include "bench/atoll/measure.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "runtime/lib/user/urpc.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kMaxCores = 32;
// Above the core endpoints (16 .. 79): where a passed frame lands, a frame
// being handed out, and the frame shared with each other core.
constexpr uint64_t kIncoming = 100, kNew = 101, kFrameWith = 120;
static_assert(kFrameWith + kMaxCores <= 256);
constexpr uint64_t kWindow = 0x0000300000000000ull, kFrameBytes = 8192;
constexpr uint64_t kTakeFrame = 1, kServe = 2, kMeasure = 3, kQuit = 4; // orders, word 0
constexpr uint64_t kEnd = ~0ull;                                          // URPC: the client is done
constexpr unsigned kChecked = 100;

alignas(16) char g_director_stack[16384];
uint64_t g_me, g_cores, g_hz;

void c(bool ok, const char* what) { check(ok, "xcore_urpc_all", what); }
void relax() { asm volatile("pause" ::: "memory"); }
uint64_t endpoint_of(uint64_t core) { return sys::kSlotCoreEndpoints + core; }

// The frame shared with `other`: ring 0 carries the lower core's messages.
urpc::Ring& ring(uint64_t other, bool from_lower)
{
    return *reinterpret_cast<urpc::Ring*>(kWindow + other * kFrameBytes + (from_lower ? 0 : 4096));
}
urpc::Ring& out_ring(uint64_t other) { return ring(other, g_me < other); }
urpc::Ring& in_ring(uint64_t other) { return ring(other, other < g_me); }

struct NoWake {
    void operator()() const {}
};
struct NoWait {
    void operator()() const {}
};
using Out = urpc::Sender<NoWake, false>;
using In = urpc::Receiver<NoWait>;

urpc::Message receive(In& in)
{
    urpc::Message m{};
    while (!in.try_receive(m)) relax();
    return m;
}

// ---- a core's side: serve, or measure ----

void serve(uint64_t other)
{
    Out out(out_ring(other), NoWake{});
    In in(in_ring(other), NoWait{});
    for (;;) {
        urpc::Message m = receive(in);
        if (m.w[0] == kEnd) break;
        out.send(urpc::Message{{m.w[0] + 1, 0, 0, 0, 0, 0, m.w[6]}}, relax);
    }
    out.send(urpc::Message{{kEnd, 0, 0, 0, 0, 0, 0}}, relax);
}

Out* g_out;
In* g_in;

bool measure_with(uint64_t other)
{
    Out out(out_ring(other), NoWake{});
    In in(in_ring(other), NoWait{});
    bool all = true;
    for (uint64_t i = 1; i <= kChecked && all; ++i) {
        out.send(urpc::Message{{i, 0, 0, 0, 0, 0, i * 7}}, relax);
        const urpc::Message r = receive(in);
        all = r.w[0] == i + 1 && r.w[6] == i * 7;
    }
    g_out = &out;
    g_in = &in;
    char name[64];
    (void)format(name, sizeof name, "atoll/urpc_roundtrip/cross_core/c%lu_c%lu/polling", g_me, other);
    bench::measure(name, g_hz, 8, 16, 1, [] {
        g_out->send(urpc::Message{{1, 0, 0, 0, 0, 0, 0}}, relax);
        (void)receive(*g_in);
    });
    out.send(urpc::Message{{kEnd, 0, 0, 0, 0, 0, 0}}, relax);
    return all && receive(in).w[0] == kEnd;
}

// The main thread of every core: orders from the director, until quit.
bool take_orders()
{
    const uint64_t mine = endpoint_of(g_me);
    bool fine = true;
    for (;;) {
        main_utcb->receive_slot = kIncoming;
        Message m{};
        uint64_t badge = 0, info = 0;
        if (!ok(ipc_syscall(sys::kReceive, mine, 0, m, &badge, &info))) return false;
        const uint64_t order = m.w[0], other = m.w[1];
        if (order == kQuit) {
            (void)reply(Message{});
            return fine;
        }
        if (other >= g_cores || other == g_me) {
            (void)reply(Message{{uint64_t(Status::kInvalidArgument), 0, 0, 0}});
            fine = false;
            continue;
        }
        if (order == kTakeFrame) {
            Status s = (info & ipcflags::kTransferCap) ? Status(main_utcb->transfer_status) : Status::kInvalidArgument;
            if (ok(s)) s = cap_move(kIncoming, kFrameWith + other);
            if (ok(s)) s = map(sys::kSlotSelf, kFrameWith + other, kWindow + other * kFrameBytes, kMapWrite);
            (void)reply(Message{{uint64_t(s), 0, 0, 0}});
        } else if (order == kServe) {
            __builtin_memset(reinterpret_cast<void*>(kWindow + other * kFrameBytes), 0, kFrameBytes);
            (void)reply(Message{{uint64_t(Status::kOk), 0, 0, 0}});
            serve(other);
        } else if (order == kMeasure) {
            const bool all = measure_with(other);
            (void)reply(Message{{uint64_t(all ? Status::kOk : Status::kInvalidArgument), 0, 0, 0}});
        }
    }
}

// ---- core 0's director thread ----

Status order(Utcb* utcb, uint64_t core, uint64_t what, uint64_t other, uint64_t cap_slot = 0)
{
    uint64_t flags = 0;
    if (cap_slot) {
        utcb->transfer_slot = cap_slot;
        utcb->transfer_rights = rights::kRead | rights::kWrite;
        flags = ipcflags::kTransferCap;
    }
    Message m{{what, other, 0, 0}};
    Status s = ipc_syscall(sys::kCall, endpoint_of(core), flags, m);
    return ok(s) ? Status(m.w[0]) : s;
}

volatile uint64_t g_frames_shared, g_pairs_measured, g_director_done;

[[noreturn]] void director(Utcb* utcb)
{
    bool shared = true;
    for (uint64_t a = 0; a < g_cores; ++a)
        for (uint64_t b = a + 1; b < g_cores; ++b) {
            shared = shared && ok(frame_create(sys::kSlotSelf, kNew, kFrameBytes)) &&
                     ok(order(utcb, a, kTakeFrame, b, kNew)) && ok(order(utcb, b, kTakeFrame, a, kNew));
            (void)cap_delete(kNew); // the two copies keep the frame
        }
    g_frames_shared = shared;
    uint64_t measured = 0;
    for (uint64_t i = 0; i < g_cores && shared; ++i)
        for (uint64_t j = 0; j < g_cores; ++j) {
            if (i == j) continue;
            if (ok(order(utcb, j, kServe, i)) && ok(order(utcb, i, kMeasure, j))) ++measured;
        }
    g_pairs_measured = measured;
    for (uint64_t k = 1; k < g_cores; ++k) (void)order(utcb, k, kQuit, 0);
    (void)order(utcb, 0, kQuit, 0); // last: core 0's main thread reports after this
    g_director_done = 1;
    thread_exit(0);
}

} // namespace

int main()
{
    const CoreInfo info = core_info();
    g_me = info.core;
    g_cores = info.cores < kMaxCores ? info.cores : kMaxCores;
    g_hz = tsc_frequency();
    if (g_me == 0) {
        print("bench: TSC %lu Hz", g_hz); // what ./atoll bench turns ticks into ns with
        c(ok(thread_create(sys::kSlotSelf, director, g_director_stack + sizeof g_director_stack, 100)),
          "director_thread");
    }
    c(take_orders(), "took_every_order");
    if (g_me != 0) return g_check_failures;
    while (!g_director_done) (void)sleep_micros(100);
    c(g_frames_shared, "a_frame_shared_by_every_pair_of_cores");
    c(g_pairs_measured == g_cores * (g_cores - 1), "every_ordered_pair_measured");
    return g_check_failures;
}
