// The cross-task side of ipc_bench: echoes calls on the boot endpoint
// until told to stop or to switch to capability transfers. Then every call
// brings a capability, which is deleted again before the reply; the reply
// carries the delete's status. Two loops rather than a test in one: the
// echo loop stays the same instructions as before transfers existed.
// Told to yield (word 1: how many times), it answers and yields that often
// to ipc_bench's main thread, at the same priority on the same core: the
// cross-task context switch. Then it receives again.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {
constexpr uint64_t kStop = ~0ull, kTransfers = ~1ull, kYields = ~2ull; // word 0 of a control message
constexpr uint64_t kReceived = 10;                      // where a passed capability lands
} // namespace

int main()
{
    main_utcb->receive_slot = kReceived;
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
    while (ok(s) && m.w[0] < kTransfers)
        s = ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, info & 0xff00, m, &badge, &info);
    if (m.w[0] == kTransfers) { // (only a message received can say so: a failed call leaves it as sent)
        s = ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
        while (ok(s) && m.w[0] != kStop) {
            if (m.w[0] == kYields) {
                const uint64_t yields = m.w[1];
                (void)reply(Message{});
                for (uint64_t i = 0; i < yields; ++i) (void)yield();
                s = ipc_syscall(sys::kReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
                continue;
            }
            m = Message{{uint64_t(cap_delete(kReceived)), 0, 0, 0}}; // kInvalidCapability if nothing came
            s = ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
        }
    }
    (void)reply(Message{});
    return 0;
}
