// Every core at once, for a fixed number of rounds: IPC to every other
// core, notifications passed across and signalled back, frames made here,
// passed, mapped and written there, read back here, then revoked and
// unmapped. One copy per core. Afterwards every core's kernel checks that
// its memory is all back, and core 0 that every channel's sent and
// received counts agree (the shutdown's cross-check).
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kPing = 1, kNote = 2, kFrame = 3, kQuit = 4;
constexpr uint64_t kArrived = 30, kMyNote = 31, kMyFrame = 32, kDone = 33;
constexpr uint64_t kRounds = 60, kMagic = 0x5eed0000;
constexpr uint64_t kServerWindow = 0x0000310000000000ull, kClientWindow = 0x0000320000000000ull;
alignas(16) char g_stack[16384];
uint64_t g_me, g_cores;
volatile uint64_t g_server_errors;

// The answering side: runs on its own UTCB (passed as the argument).
void serve(Utcb* utcb)
{
    const uint64_t mine = sys::kSlotCoreEndpoints + g_me;
    uint64_t quits = 0, badge = 0, info = 0, errors = 0;
    Message m{};
    utcb->receive_slot = kArrived;
    Status s = ipc_syscall(sys::kReceive, mine, 0, m, &badge, &info);
    while (ok(s)) {
        const bool got_cap = (info & ipcflags::kTransferCap) && utcb->transfer_status == int64_t(Status::kOk);
        Message r{{0, 0, 0, 0}};
        if (m.w[0] == kPing) {
            r.w[0] = m.w[1] + 1;
        } else if (m.w[0] == kNote) {
            if (!got_cap || !ok(signal(kArrived, 1))) ++errors;
            (void)cap_delete(kArrived);
        } else if (m.w[0] == kFrame) {
            // Map the other core's frame, read its word, answer by writing one.
            auto* word = reinterpret_cast<volatile uint64_t*>(kServerWindow);
            if (got_cap && ok(map(sys::kSlotSelf, kArrived, kServerWindow, kMapWrite))) {
                r.w[0] = *word;
                *word = *word + 1;
            } else {
                ++errors;
            }
            (void)cap_delete(kArrived); // unmaps it here
        } else if (m.w[0] == kQuit) {
            if (++quits == g_cores - 1) break;
        } else {
            ++errors;
        }
        m = r; // the answer goes out, the next request comes back in
        s = ipc_syscall(sys::kReplyReceive, mine, 0, m, &badge, &info);
    }
    (void)reply(Message{});
    g_server_errors = errors + (ok(s) ? 0 : 1);
    (void)signal(kDone, 1);
    thread_exit(0);
}

Status pass(uint64_t endpoint, uint64_t op, uint64_t slot, uint32_t rights_mask, Message& m)
{
    main_utcb->transfer_slot = slot;
    main_utcb->transfer_rights = rights_mask;
    m = Message{{op, 0, 0, 0}};
    return ipc_syscall(sys::kCall, endpoint, ipcflags::kTransferCap, m);
}

} // namespace

int main()
{
    const CoreInfo info = core_info();
    g_me = info.core;
    g_cores = info.cores < sys::kMaxCoreEndpoints ? info.cores : sys::kMaxCoreEndpoints;
    check(ok(notification_create(sys::kSlotSelf, kDone)) &&
              ok(thread_create(sys::kSlotSelf, serve, g_stack + sizeof g_stack, 100)),
          "xcore_stress", "answering_thread");
    (void)yield();

    uint64_t ipc_ok = 0, notes_ok = 0, frames_ok = 0, failures = 0;
    for (uint64_t round = 0; round < kRounds; ++round) {
        for (uint64_t step = 1; step < g_cores; ++step) {
            const uint64_t j = (g_me + step) % g_cores, theirs = sys::kSlotCoreEndpoints + j;
            Message m{{kPing, round, 0, 0}};
            if (ok(call(theirs, m)) && m.w[0] == round + 1) ++ipc_ok;
            else ++failures;

            uint64_t bits = 0;
            if (ok(notification_create(sys::kSlotSelf, kMyNote)) && ok(pass(theirs, kNote, kMyNote, rights::kSend, m)) &&
                ok(wait(kMyNote, bits)) && bits == 1)
                ++notes_ok;
            else
                ++failures;
            (void)cap_delete(kMyNote);

            auto* word = reinterpret_cast<volatile uint64_t*>(kClientWindow);
            const uint64_t value = kMagic + round * 64 + j;
            bool frame_ok = ok(frame_create(sys::kSlotSelf, kMyFrame, 4096)) &&
                            ok(map(sys::kSlotSelf, kMyFrame, kClientWindow, kMapWrite));
            if (frame_ok) *word = value;
            frame_ok = frame_ok && ok(pass(theirs, kFrame, kMyFrame, rights::kRead | rights::kWrite, m)) &&
                       m.w[0] == value && *word == value + 1;
            // Revoke (reaches any copy still held elsewhere), unmap, delete.
            frame_ok = frame_ok && ok(cap_revoke(kMyFrame)) && ok(unmap(kMyFrame));
            (void)cap_delete(kMyFrame);
            if (frame_ok) ++frames_ok;
            else ++failures;
        }
    }
    const uint64_t expected = kRounds * (g_cores - 1);
    char what[64];
    (void)format(what, sizeof what, "c%lu_ipc_transfer_revoke_unmap_%lu_rounds", g_me, expected);
    check(failures == 0 && ipc_ok == expected && notes_ok == expected && frames_ok == expected, "xcore_stress", what);
    for (uint64_t step = 1; step < g_cores; ++step) {
        Message quit{{kQuit, 0, 0, 0}};
        (void)call(sys::kSlotCoreEndpoints + (g_me + step) % g_cores, quit);
    }
    uint64_t bits = 0;
    check(ok(wait(kDone, bits)) && g_server_errors == 0, "xcore_stress", "answered_everyone_without_errors");
    return g_check_failures;
}
