// The cross-task side of ipc_bench: echoes calls on the boot endpoint
// until told to stop.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, sys::kSlotBootEndpoint, 0, m, &badge, &info);
    while (ok(s) && m.w[0] != ~0ull)
        s = ipc_syscall(sys::kReplyReceive, sys::kSlotBootEndpoint, info & 0xff00, m, &badge, &info);
    (void)reply(Message{});
    return 0;
}
