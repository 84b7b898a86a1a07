// URPC between two cores: core 0 makes a frame, passes it (and its
// notification) to core 1 over core 1's endpoint; core 1 maps the same
// memory and passes its notification back. Then request/response through two
// rings with no kernel on the path (except a signal when the peer sleeps):
// checked round trips, the round trip and one-way throughput measured, and
// at the end core 0 revokes the frame: core 1's mapping is gone when the
// revoke returns.
#include "bench/atoll/measure.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "runtime/lib/user/urpc.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

// Above the core endpoints (slots 16 .. 79).
constexpr uint64_t kFrame = 100, kNote = 101, kPeerNote = 103, kPeerFrame = 104, kHeldNote = 105;
constexpr uint64_t kWindow = 0x0000300000000000ull;
constexpr uint64_t kFrameOp = 1, kNoteOp = 2, kCheckOp = 3, kCapOp = 4, kQuit = ~0ull, kAckWanted = 1, kNoReply = 2;
// The kernel paths beside URPC: bench::measure(.., 8, 16, ..) runs its op
// 16 + 8 * 16 times, and core 1 answers exactly that many.
constexpr unsigned kBatches = 8, kPerBatch = 16, kKernelOps = kPerBatch + kBatches * kPerBatch;
constexpr uint64_t kPing = 2; // a notification bit URPC's wake-ups (bit 1) never use
constexpr unsigned kSpins = 2000, kRounds = 1000, kBurst = 64;

void c(bool ok, const char* what) { check(ok, "xcore_urpc", what); }
bool readable(uint64_t va) { return debug_write(reinterpret_cast<const char*>(va), 1) == Status::kOk; }
void relax() { asm volatile("pause" ::: "memory"); }

urpc::Ring& ring(unsigned i) { return *reinterpret_cast<urpc::Ring*>(kWindow + i * 4096); }

struct Wake {
    void operator()() const { (void)signal(kPeerNote, 1); }
};
struct Wait {
    void operator()() const
    {
        uint64_t bits;
        (void)wait(kNote, bits);
    }
};

// Passes our capability `slot` in a call on `endpoint` (op says what it is).
Status pass(uint64_t endpoint, uint64_t op, uint64_t slot, uint32_t rights_mask)
{
    main_utcb->transfer_slot = slot;
    main_utcb->transfer_rights = rights_mask;
    Message m{{op, 0, 0, 0}};
    Status s = ipc_syscall(sys::kCall, endpoint, ipcflags::kTransferCap, m);
    return ok(s) ? Status(m.w[0]) : s;
}

// Takes one call carrying a capability into `slot` and answers it.
Status take(uint64_t endpoint, uint64_t slot, uint64_t& op)
{
    main_utcb->receive_slot = slot;
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, endpoint, 0, m, &badge, &info);
    op = m.w[0];
    Status got = ok(s) && (info & ipcflags::kTransferCap) ? Status(main_utcb->transfer_status) : Status::kInvalidArgument;
    (void)reply(Message{{uint64_t(got), 0, 0, 0}});
    return ok(s) ? got : s;
}

urpc::Sender<Wake>* g_out;
urpc::Receiver<Wait>* g_in;

int core0(uint64_t hz)
{
    const uint64_t mine = sys::kSlotCoreEndpoints, theirs = sys::kSlotCoreEndpoints + 1;
    c(ok(frame_create(sys::kSlotSelf, kFrame, 8192)) && ok(map(sys::kSlotSelf, kFrame, kWindow, kMapWrite)) &&
          ok(notification_create(sys::kSlotSelf, kNote)),
      "frame_and_notification");
    c(ok(pass(theirs, kFrameOp, kFrame, rights::kRead | rights::kWrite)) &&
          ok(pass(theirs, kNoteOp, kNote, rights::kSend)),
      "frame_and_notification_passed_to_core1");
    uint64_t op = 0;
    c(ok(take(mine, kPeerNote, op)) && op == kNoteOp, "core1_notification_arrived");

    urpc::Sender<Wake> out(ring(0), Wake{});
    urpc::Receiver<Wait> in(ring(1), Wait{});
    g_out = &out;
    g_in = &in;
    bool all = true;
    for (uint64_t i = 1; i <= kRounds && all; ++i) {
        out.send(urpc::Message{{i, 0, 0, 0, 0, 0, i * 3}}, relax);
        urpc::Message r{};
        in.receive(r, kSpins, relax);
        all = r.w[0] == i + 1 && r.w[6] == i * 3;
    }
    c(all, "1000_round_trips_through_shared_memory");
    bench::measure("atoll/urpc_roundtrip/cross_core/c0_c1", hz, 16, 32, 1, [] {
        g_out->send(urpc::Message{{1, 0, 0, 0, 0, 0, 0}}, relax);
        urpc::Message r{};
        g_in->receive(r, kSpins, relax);
    });
    // One way, pipelined: a burst, and one answer for the burst.
    bench::measure("atoll/urpc_oneway_pipelined/cross_core/c0_c1", hz, 8, 4, kBurst, [] {
        for (unsigned k = 0; k < kBurst; ++k)
            g_out->send(urpc::Message{{k, k + 1 == kBurst ? kAckWanted : kNoReply, 0, 0, 0, 0, 0}}, relax);
        urpc::Message r{};
        g_in->receive(r, kSpins, relax);
    });
    out.send(urpc::Message{{kQuit, 0, 0, 0, 0, 0, 0}}, relax);
    urpc::Message bye{};
    in.receive(bye, kSpins, relax);
    c(bye.w[0] == kQuit, "quit_acknowledged");

    // The kernel's cross-core paths between the same two cores: a signal to
    // the other core's notification and the signal back, and a call passing
    // a capability (core 1 takes it, deletes it, replies).
    bench::measure("atoll/notification_pingpong/cross_core/c0_c1", hz, kBatches, kPerBatch, 1, [] {
        (void)signal(kPeerNote, kPing);
        uint64_t bits = 0;
        do (void)wait(kNote, bits); while (!(bits & kPing));
    });
    bench::measure("atoll/cap_transfer/cross_core/c0_c1", hz, kBatches, kPerBatch, 1,
                   [] { (void)pass(sys::kSlotCoreEndpoints + 1, kCapOp, kNote, rights::kSend); });

    c(ok(cap_revoke(kFrame)), "revoke_of_the_shared_frame_returns");
    Message check_msg{{kCheckOp, 0, 0, 0}};
    c(ok(call(theirs, check_msg)) && check_msg.w[0] == 0, "core1_mapping_gone_after_revoke");
    c(readable(kWindow), "own_mapping_stays");
    return g_check_failures;
}

int core1()
{
    const uint64_t mine = sys::kSlotCoreEndpoints + 1, theirs = sys::kSlotCoreEndpoints;
    uint64_t op1 = 0, op2 = 0;
    c(ok(take(mine, kPeerFrame, op1)) && op1 == kFrameOp && ok(take(mine, kPeerNote, op2)) && op2 == kNoteOp,
      "frame_and_notification_from_core0");
    uint64_t bytes = 0;
    c(ok(frame_info(kPeerFrame, bytes)) && bytes == 8192 && ok(map(sys::kSlotSelf, kPeerFrame, kWindow, kMapWrite)),
      "remote_frame_mapped");
    c(map(sys::kSlotSelf, kPeerFrame, kWindow + (1ull << 30), kMapExecute) == Status::kNoRights,
      "remote_frame_keeps_its_rights");
    c(ok(notification_create(sys::kSlotSelf, kNote)) && ok(pass(theirs, kNoteOp, kNote, rights::kSend)),
      "notification_passed_to_core0");

    urpc::Receiver<Wait> in(ring(0), Wait{});
    urpc::Sender<Wake> out(ring(1), Wake{});
    for (;;) {
        urpc::Message m{};
        in.receive(m, kSpins, relax);
        if (m.w[0] == kQuit) {
            out.send(m, relax);
            break;
        }
        if (m.w[1] == kNoReply) continue; // part of a burst
        if (m.w[1] == kAckWanted) out.send(m, relax);
        else out.send(urpc::Message{{m.w[0] + 1, 0, 0, 0, 0, 0, m.w[6]}}, relax);
    }
    bool pings = true;
    for (unsigned i = 0; i < kKernelOps; ++i) {
        uint64_t bits = 0;
        do pings = ok(wait(kNote, bits)) && pings; while (pings && !(bits & kPing));
        pings = ok(signal(kPeerNote, kPing)) && pings;
    }
    bool taken = true;
    for (unsigned i = 0; i < kKernelOps; ++i) {
        uint64_t op = 0;
        taken = ok(take(mine, kHeldNote, op)) && op == kCapOp && ok(cap_delete(kHeldNote)) && taken;
    }
    c(pings && taken, "notification_pingpong_and_cap_transfer_across_cores");
    // After core 0's revoke: is the shared memory still reachable here?
    Message q{};
    uint64_t badge = 0;
    Status s = receive(mine, q, badge);
    bool reachable = readable(kWindow);
    (void)reply(Message{{uint64_t(reachable), 0, 0, 0}});
    c(ok(s) && q.w[0] == kCheckOp && !reachable, "revoke_unmapped_the_shared_frame_here");
    c(map(sys::kSlotSelf, kPeerFrame, kWindow, kMapWrite) == Status::kDead, "revoked_frame_cannot_be_mapped_again");
    return g_check_failures;
}

} // namespace

int main()
{
    if (current_core() != 0) return core1();
    const uint64_t hz = tsc_frequency();
    print("bench: TSC %lu Hz", hz);
    return core0(hz);
}
