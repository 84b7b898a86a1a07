// Cross-task capability transfer and revoke, client side.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kGiven = 20;
    Utcb* me = main_utcb;
    me->receive_slot = kGiven;
    Message m{};
    uint64_t info = 0;
    Status s = ipc_syscall(sys::kCall, sys::kSlotBootEndpoint, 0, m, nullptr, &info);
    check(ok(s) && (info & ipcflags::kTransferCap), "grant_client", "capability_arrived_from_another_task");
    check(ok(signal(kGiven, 0x20)), "grant_client", "signal_through_it");
    Message again{};
    check(ok(call(sys::kSlotBootEndpoint, again)), "grant_client", "server_revoked");
    check(signal(kGiven, 0x20) == Status::kInvalidCapability, "grant_client", "revoked_capability_is_gone");
    return g_check_failures;
}
