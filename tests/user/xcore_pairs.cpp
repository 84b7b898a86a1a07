// Ping-pong between every ordered pair of cores. One copy runs on each
// core (init=xcore_pairs,xcore_pairs@1,...): a thread answers on this
// core's endpoint while the main thread calls every other core's endpoint
// (kSlotCoreEndpoints + core), checks every answer, and measures the round
// trip. A "quit" from each other core ends the answering thread.
#include "bench/atoll/measure.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kQuit = ~0ull, kDone = 10, kCalls = 200;
alignas(16) char g_stack[16384];
uint64_t g_me, g_cores;
volatile uint64_t g_bad_answers;

// Answers w0 * 2 + the caller's core in w1 (each caller says who it is).
void answer(Utcb*)
{
    const uint64_t mine = sys::kSlotCoreEndpoints + g_me;
    Message m{};
    uint64_t badge = 0, quits = 0;
    Status s = receive(mine, m, badge);
    while (ok(s)) {
        if (m.w[0] == kQuit && ++quits == g_cores - 1) break;
        m = Message{{m.w[0] * 2, m.w[1], g_me, 0}};
        s = reply_receive(mine, m, badge);
    }
    (void)reply(Message{});
    if (!ok(s)) g_bad_answers = g_bad_answers + 1;
    (void)signal(kDone, 1);
    thread_exit(0);
}

uint64_t g_target; // the endpoint slot measure() calls

} // namespace

int main()
{
    const CoreInfo info = core_info();
    g_me = info.core;
    g_cores = info.cores < sys::kMaxCoreEndpoints ? info.cores : sys::kMaxCoreEndpoints;
    const uint64_t hz = tsc_frequency();
    if (g_me == 0) print("bench: TSC %lu Hz", hz); // what ./atoll bench turns ticks into ns with
    check(ok(notification_create(sys::kSlotSelf, kDone)) &&
              ok(thread_create(sys::kSlotSelf, answer, g_stack + sizeof g_stack, 100)),
          "xcore_pairs", "answering_thread");
    (void)yield(); // let it wait on our endpoint

    for (uint64_t j = 0; j < g_cores; ++j) {
        if (j == g_me) continue;
        g_target = sys::kSlotCoreEndpoints + j;
        bool all = true;
        for (uint64_t i = 1; i <= kCalls && all; ++i) {
            Message m{{i, g_me, 0, 0}};
            all = ok(call(g_target, m)) && m.w[0] == 2 * i && m.w[1] == g_me && m.w[2] == j;
        }
        char name[64];
        (void)format(name, sizeof name, "calls_c%lu_to_c%lu", g_me, j);
        check(all, "xcore_pairs", name);
        (void)format(name, sizeof name, "atoll/ipc_roundtrip/cross_core/c%lu_c%lu/short", g_me, j);
        bench::measure(name, hz, 8, 16, 1, [] {
            Message m{{1, g_me, 0, 0}};
            (void)call(g_target, m);
        });
    }
    for (uint64_t j = 0; j < g_cores; ++j) {
        if (j == g_me) continue;
        Message quit{{kQuit, g_me, 0, 0}};
        (void)call(sys::kSlotCoreEndpoints + j, quit);
    }
    uint64_t bits = 0;
    check(ok(wait(kDone, bits)) && g_bad_answers == 0, "xcore_pairs", "answered_every_other_core");
    return g_check_failures;
}
