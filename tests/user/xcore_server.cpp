// Cross-core IPC, server side (core 0): three clients on other cores call
// the boot endpoint. Short calls are echoed with their badge; long calls
// come back with every word incremented; a client's "quit" is answered,
// and after three the server is done.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kQuit = ~0ull, kLong = ~1ull, kPassNote = ~2ull, kPassHome = ~3ull, kPassThird = ~4ull, kReplyThird = ~5ull, kClients = 3;
    constexpr uint64_t kArrived = 20;
    main_utcb->receive_slot = kArrived;
    Message m{};
    uint64_t badge = 0, info = 0, flags = 0, quits = 0, served = 0;
    bool badges_ok = true;
    Status s = ipc_syscall(sys::kReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
    while (ok(s)) {
        badges_ok = badges_ok && badge == 7; // the clients' badged copies
        flags = 0;
        if (m.w[0] == kQuit) {
            ++quits;
            m = Message{};
        } else if (m.w[0] == kPassNote) {
            // A notification the client owns, on its core: signal it from here.
            bool arrived = (info & ipcflags::kTransferCap) && main_utcb->transfer_status == int64_t(Status::kOk);
            Status sig = arrived ? signal(kArrived, m.w[1]) : Status::kInvalidCapability;
            (void)cap_delete(kArrived);
            m = Message{{uint64_t(sig), 0, 0, 0}};
        } else if (m.w[0] == kPassHome) {
            // Our own endpoint, passed back to us: it arrives as itself.
            bool arrived = (info & ipcflags::kTransferCap) && main_utcb->transfer_status == int64_t(Status::kOk);
            Message probe{};
            uint64_t b = 0;
            // It is the local endpoint with only the send right: receiving is refused for rights, not type.
            Status r = arrived ? receive(kArrived, probe, b, kNonBlocking) : Status::kInvalidCapability;
            (void)cap_delete(kArrived);
            m = Message{{uint64_t(r), 0, 0, 0}};
        } else if (m.w[0] == kPassThird) {
            // Another client core's endpoint (neither ours nor the sender's
            // core's): it works from here, a send reaches that core and
            // comes back (nobody receives there: kWouldBlock).
            bool arrived = (info & ipcflags::kTransferCap) && main_utcb->transfer_status == int64_t(Status::kOk);
            Status r = arrived ? send(kArrived, Message{{1, 0, 0, 0}}, kNonBlocking) : Status::kInvalidCapability;
            (void)cap_delete(kArrived);
            m = Message{{uint64_t(r), 0, 0, 0}};
        } else if (m.w[0] == kReplyThird && m.w[1] < 64) {
            // The reply passes the caller another client core's endpoint.
            main_utcb->transfer_slot = sys::kSlotCoreEndpoints + m.w[1];
            main_utcb->transfer_rights = rights::kSend;
            flags = ipcflags::kTransferCap;
            m = Message{{uint64_t(Status::kOk), 0, 0, 0}};
        } else if (m.w[0] == kLong) {
            const uint64_t words = ipcflags::length(info);
            for (uint64_t i = 4; i < words; ++i) main_utcb->mr[i] += 1;
            m = Message{{kLong, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1}};
            flags = ipcflags::with_length(words);
        } else {
            m = Message{{m.w[0] * 2, badge, 0, 0}};
        }
        ++served;
        if (quits == kClients) break;
        s = ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, flags, m, &badge, &info);
    }
    (void)reply(Message{});
    check(ok(s) && quits == kClients, "xcore_server", "served_every_client_until_quit");
    check(badges_ok && served > kClients, "xcore_server", "calls_carried_the_clients_badges");
    return g_check_failures;
}
