// IPC between two threads of one task, capability checks, rights
// reduction, and strict priorities.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kEndpoint = 5;
constexpr uint64_t kSendOnly = 6;
constexpr uint64_t kQuit = ~0ull;
constexpr uint64_t kRounds = 2000;

alignas(16) char g_server_stack[16384];
alignas(16) char g_low_stack[8192];
volatile bool g_low_ran;

void check_(bool ok, const char* what) { check(ok, "ipc_threads", what); }

// Echo server: answers w0+1 (and the other words reversed) until told to stop.
void server(Utcb*)
{
    Message m{};
    uint64_t badge;
    Status s = receive(kEndpoint, m, badge);
    while (ok(s) && m.w[0] != kQuit) {
        m = Message{{m.w[0] + 1, m.w[3], m.w[2], m.w[1]}};
        s = reply_receive(kEndpoint, m, badge);
    }
    (void)reply(Message{{kQuit, 0, 0, 0}});
    thread_exit(0);
}

void low_priority_worker(Utcb*)
{
    g_low_ran = true;
    thread_exit(0);
}

// Spins until told to stop: it never blocks, so only preemption lets a
// higher-priority thread run while it does.
volatile bool g_spin = true;
volatile uint64_t g_spins;
alignas(16) char g_spinner_stack[8192];

void spinner(Utcb*)
{
    while (g_spin) g_spins = g_spins + 1;
    thread_exit(0);
}

} // namespace

int main()
{
    check_(endpoint_create(sys::kSlotSelf, kEndpoint) == Status::kOk, "endpoint_create");
    check_(endpoint_create(sys::kSlotSelf, kEndpoint) == Status::kSlotOccupied, "occupied_slot_refused");
    check_(thread_create(sys::kSlotSelf, server, g_server_stack + sizeof g_server_stack, 100) == Status::kOk,
           "thread_create");

    bool echoed = true;
    for (uint64_t i = 0; i < kRounds && echoed; ++i) {
        Message m{{i, 10, 20, 30}};
        echoed = ok(call(kEndpoint, m)) && m.w[0] == i + 1 && m.w[1] == 30 && m.w[2] == 20 && m.w[3] == 10;
    }
    check_(echoed, "call_reply_2000_rounds");

    // Capability checks: each failure is a status, the task goes on.
    Message m{};
    uint64_t badge;
    check_(call(200, m) == Status::kInvalidCapability, "empty_slot_rejected");
    check_(call(~0ull, m) == Status::kInvalidCapability, "slot_out_of_range_rejected");
    check_(call(sys::kSlotSelf, m) == Status::kWrongType, "wrong_type_rejected");
    check_(cap_copy(kEndpoint, kSendOnly, rights::kSend) == Status::kOk, "copy_with_fewer_rights");
    check_(receive(kSendOnly, m, badge, kNonBlocking) == Status::kNoRights, "reduced_rights_enforced");
    check_(cap_copy(kSendOnly, 7, rights::kAll) == Status::kOk, "copy_of_copy");
    check_(receive(7, m, badge, kNonBlocking) == Status::kNoRights, "rights_never_grow");
    check_(cap_delete(7) == Status::kOk && call(7, m) == Status::kInvalidCapability, "delete");
    check_(receive(kEndpoint, m, badge, kNonBlocking) == Status::kWouldBlock, "poll_without_sender");
    check_(thread_create(sys::kSlotSelf, low_priority_worker, g_low_stack + sizeof g_low_stack, 200) ==
               Status::kInvalidArgument,
           "no_priority_escalation");

    // Strict priority: a ready lower-priority thread must not run while we
    // are runnable, and does once we sleep.
    check_(thread_create(sys::kSlotSelf, low_priority_worker, g_low_stack + sizeof g_low_stack, 50) == Status::kOk,
           "low_priority_thread");
    for (uint64_t spin = 0; spin < 3000000; ++spin) asm volatile("" ::: "memory"); // stay runnable
    bool starved = !g_low_ran;
    (void)sleep_micros(20000);
    if (!starved || !g_low_ran) print("strict_priority: starved %d, ran %d", int(starved), int(g_low_ran));
    check_(starved && g_low_ran, "strict_priority");

    // Preemption: while a lower-priority thread spins, our sleep's end (a
    // timer tick) must put us back on the CPU at once, mid-spin.
    check_(ok(thread_create(sys::kSlotSelf, spinner, g_spinner_stack + sizeof g_spinner_stack, 50)), "spinner");
    (void)sleep_micros(30000); // the spinner runs meanwhile
    uint64_t seen = g_spins;
    bool back_while_spinning = seen > 0 && g_spin;
    for (uint64_t spin = 0; spin < 1000000; ++spin) asm volatile("" ::: "memory"); // runnable: it must not run
    check_(back_while_spinning && g_spins == seen, "higher_priority_preempts_a_spinning_thread");
    g_spin = false;
    (void)sleep_micros(1000); // let it finish

    Message quit{{kQuit, 0, 0, 0}};
    check_(ok(call(kEndpoint, quit)) && quit.w[0] == kQuit, "server_stops");
    return g_check_failures;
}
