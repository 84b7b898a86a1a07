// Cross-task IPC, client side: calls the server through a badged,
// send-only copy of the boot endpoint.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kMine = 9;
    check(cap_copy(sys::kSlotBootEndpoint, kMine, rights::kSend, 0x42) == Status::kOk, "ping_client", "badged_copy");
    bool all = true;
    for (uint64_t i = 1; i <= 1000 && all; ++i) {
        Message m{{i, 0, 0, 0}};
        all = ok(call(kMine, m)) && m.w[0] == 2 * i && m.w[1] == 0x42;
    }
    check(all, "ping_client", "1000_cross_task_calls");
    Message quit{{~0ull, 0, 0, 0}};
    check(ok(call(kMine, quit)), "ping_client", "quit_answered");
    return g_check_failures;
}
