// Cross-task capability transfer and revoke, server side: hands its
// notification to the client (send right only), sees the client's signal,
// then revokes what it handed out.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kNote = 10;
    Utcb* me = main_utcb;
    check(notification_create(sys::kSlotSelf, kNote) == Status::kOk, "grant_server", "notification");
    Message m{};
    uint64_t badge = 0, bits = 0;
    // 1: the client asks; the reply carries the capability.
    Status s = receive(sys::kSlotBootEndpoint, m, badge);
    me->transfer_slot = kNote;
    me->transfer_rights = rights::kSend;
    Message none{};
    s = ok(s) ? ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, ipcflags::kTransferCap, none, &badge) : s;
    // 2: the client has signalled through its copy and calls again.
    check(ok(s) && ok(poll(kNote, bits)) && bits == 0x20, "grant_server", "client_signal_arrived");
    check(cap_revoke(kNote) == Status::kOk, "grant_server", "revoke_what_was_handed_out");
    check(ok(signal(kNote, 1)), "grant_server", "own_capability_still_works");
    (void)reply(Message{});
    return g_check_failures;
}
