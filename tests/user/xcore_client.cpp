// Cross-core IPC, client side: runs on a core other than the server's, with
// slot 1 a remote capability to core 0's boot endpoint. Badges, short and
// 64-word calls, and what a remote capability cannot do (yet).
#include "bench/atoll/measure.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {
void c(bool ok, const char* what) { check(ok, "xcore_client", what); }
} // namespace

int main()
{
    constexpr uint64_t kQuit = ~0ull, kLong = ~1ull, kMine = 9, badge = 7;
    c(ok(cap_copy(sys::kSlotBootEndpoint, kMine, rights::kSend | rights::kGrant, badge)),
      "badged_copy_of_remote_capability");

    bool all = true;
    for (uint64_t i = 1; i <= 500 && all; ++i) {
        Message m{{i, 0, 0, 0}};
        all = ok(call(kMine, m)) && m.w[0] == 2 * i && m.w[1] == badge;
    }
    c(all, "500_cross_core_calls_with_badge");

    bool long_ok = true;
    for (int round = 0; round < 20 && long_ok; ++round) {
        Message m{{kLong, 10, 20, 30}};
        for (uint64_t i = 4; i < 64; ++i) main_utcb->mr[i] = i * 1000 + uint64_t(round);
        uint64_t info = 0;
        Status s = ipc_syscall(sys::kCall, kMine, ipcflags::with_length(64), m, nullptr, &info);
        long_ok = ok(s) && ipcflags::length(info) == 64 && m.w[1] == 11 && m.w[2] == 21 && m.w[3] == 31;
        for (uint64_t i = 4; i < 64 && long_ok; ++i) long_ok = main_utcb->mr[i] == i * 1000 + uint64_t(round) + 1;
    }
    c(long_ok, "64_word_calls_and_replies_cross_core");

    // A notification of ours travels to core 0; the server signals it
    // from there and we wake here.
    constexpr uint64_t kNote = 12;
    uint64_t bits = 0;
    main_utcb->transfer_slot = kNote;
    main_utcb->transfer_rights = rights::kSend;
    Message pass{{~2ull, 0x5, 0, 0}};
    c(ok(notification_create(sys::kSlotSelf, kNote)) &&
          ok(ipc_syscall(sys::kCall, kMine, ipcflags::kTransferCap, pass)) &&
          Status(pass.w[0]) == Status::kOk && ok(wait(kNote, bits)) && bits == 0x5,
      "notification_passed_across_cores_and_signalled_back");
    main_utcb->transfer_rights = rights::kReceive; // no send right: the server cannot signal
    Message weak{{~2ull, 0x5, 0, 0}};
    c(ok(ipc_syscall(sys::kCall, kMine, ipcflags::kTransferCap, weak)) && Status(weak.w[0]) == Status::kNoRights,
      "passed_capability_has_reduced_rights");
    main_utcb->transfer_rights = rights::kSend;
    // Core 0's own endpoint, passed back to core 0, arrives as the local
    // object (send right only: receiving on it is refused for rights).
    main_utcb->transfer_slot = sys::kSlotBootEndpoint;
    Message home{{~3ull, 0, 0, 0}};
    c(ok(ipc_syscall(sys::kCall, kMine, ipcflags::kTransferCap, home)) && Status(home.w[0]) == Status::kNoRights,
      "capability_returns_home_as_the_local_object");
    // The next client core's endpoint, to core 0: an object a third core
    // owns, which core 0 takes only once that core granted it.
    const uint64_t next = current_core() % 3 + 1;
    main_utcb->transfer_slot = sys::kSlotCoreEndpoints + next;
    Message third{{~4ull, 0, 0, 0}};
    c(ok(ipc_syscall(sys::kCall, kMine, ipcflags::kTransferCap, third)) && Status(third.w[0]) == Status::kWouldBlock,
      "third_core_capability_passed_and_used");
    // And the other way: core 0's reply passes us that core's endpoint.
    constexpr uint64_t kGot = 120;
    main_utcb->receive_slot = kGot;
    Message ask{{~5ull, next, 0, 0}};
    uint64_t got_info = 0, no_badge = 0;
    Status asked = ipc_syscall(sys::kCall, kMine, 0, ask, &no_badge, &got_info);
    c(ok(asked) && (got_info & ipcflags::kTransferCap) && ok(Status(main_utcb->transfer_status)) &&
          send(kGot, Message{{1, 0, 0, 0}}, kNonBlocking) == Status::kWouldBlock && ok(cap_delete(kGot)),
      "third_core_capability_in_a_reply");
    main_utcb->transfer_slot = 200; // empty
    Message empty{{1, 0, 0, 0}};
    c(ipc_syscall(sys::kCall, kMine, ipcflags::kTransferCap, empty) == Status::kInvalidCapability,
      "passing_an_empty_slot_refused");
    Message r{};
    uint64_t b = 0;
    c(receive(kMine, r, b) == Status::kWrongType, "receive_on_remote_endpoint_refused");

    bench::measure("atoll/ipc_roundtrip/cross_core/to_core0/short", tsc_frequency(), 16, 32, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)call(9, m);
    });

    Message quit{{kQuit, 0, 0, 0}};
    c(ok(call(kMine, quit)), "quit_answered");
    return g_check_failures;
}
