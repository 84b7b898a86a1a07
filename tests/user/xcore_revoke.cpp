// Revoke of an object every core holds a copy of, while they use it. One
// copy runs on each core. Core 0's endpoint (slot kSlotCoreEndpoints + 0)
// is named by a remote capability on every other core; those keep calling
// it. Core 0 revokes its original capability once each has been served: the
// revoke returns only when every core has confirmed, no call is served
// after it, and every other core's next call (and each after) ends kDead.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kEndpoint0 = sys::kSlotCoreEndpoints, kQuit = ~0ull, kDone = 10;
constexpr uint64_t kCallsBeforeRevoke = 100;
alignas(16) char g_stack[16384];
volatile uint64_t g_served;
volatile uint64_t g_cores_seen; // bit per calling core

void c(bool ok, const char* what) { check(ok, "xcore_revoke", what); }

void serve(Utcb*)
{
    Message m{};
    uint64_t badge = 0;
    Status s = receive(kEndpoint0, m, badge);
    while (ok(s) && m.w[0] != kQuit) {
        g_served = g_served + 1;
        if (m.w[1] < 64) g_cores_seen = g_cores_seen | (uint64_t(1) << m.w[1]);
        m = Message{{m.w[0] + 1, 0, 0, 0}};
        s = reply_receive(kEndpoint0, m, badge);
    }
    (void)reply(Message{});
    (void)signal(kDone, 1);
    thread_exit(0);
}

int owner(uint64_t cores)
{
    c(ok(notification_create(sys::kSlotSelf, kDone)) &&
          ok(thread_create(sys::kSlotSelf, serve, g_stack + sizeof g_stack, 100)),
      "server_thread");
    // Every other core has been served, and all of them a good number of times.
    const uint64_t everyone = (cores >= 64 ? ~0ull : (uint64_t(1) << cores) - 1) & ~uint64_t(1);
    while (g_cores_seen != everyone || g_served < kCallsBeforeRevoke * (cores - 1)) (void)sleep_micros(1000);
    c(ok(cap_revoke(kEndpoint0)), "revoke_returns_after_every_core_confirmed");
    const uint64_t at_revoke = g_served;
    (void)sleep_micros(50000); // the others keep trying meanwhile
    c(g_served == at_revoke, "no_call_served_after_revoke");
    // Our own second capability (slot 1, not derived from the revoked one)
    // still works: revoke took the copies, not the object.
    Message quit{{kQuit, 0, 0, 0}};
    uint64_t bits = 0;
    c(ok(call(sys::kSlotBootEndpoint, quit)) && ok(wait(kDone, bits)), "object_stays_for_its_owner");
    return g_check_failures;
}

int holder(uint64_t me)
{
    uint64_t served = 0;
    Status s = Status::kOk;
    for (uint64_t i = 1; ok(s); ++i) {
        Message m{{i, me, 0, 0}};
        s = call(kEndpoint0, m);
        if (ok(s) && m.w[0] == i + 1) ++served;
    }
    c(served >= 1 && s == Status::kDead, "calls_end_with_dead_after_revoke");
    Message again{{1, 0, 0, 0}};
    c(call(kEndpoint0, again) == Status::kDead && send(kEndpoint0, again) == Status::kDead, "void_stays_void");
    return g_check_failures;
}

} // namespace

int main()
{
    const CoreInfo info = core_info();
    return info.core == 0 ? owner(info.cores) : holder(info.core);
}
