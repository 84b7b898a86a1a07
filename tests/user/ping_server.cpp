// Cross-task IPC, server side: answers on the boot endpoint, reporting the
// badge each client's capability carries.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kQuit = ~0ull;
    Message m{};
    uint64_t badge = 0;
    uint64_t served = 0;
    bool badges_ok = true;
    Status s = receive(sys::kSlotBootEndpoint, m, badge);
    while (ok(s) && m.w[0] != kQuit) {
        badges_ok = badges_ok && badge == 0x42;
        ++served;
        m = Message{{m.w[0] * 2, badge, 0, 0}};
        s = reply_receive(sys::kSlotBootEndpoint, m, badge);
    }
    (void)reply(Message{});
    check(ok(s), "ping_server", "served_until_quit");
    check(badges_ok && served == 1000, "ping_server", "every_call_carried_the_client_badge");
    return g_check_failures;
}
