// In-OS benchmarks on one core: null syscall, IPC call+reply round trips
// (same task and across tasks; register and 64-word messages; passing a
// capability), a context switch between two yielding threads (in one task
// and in two), and notification ping-pong; then capability operations,
// thread creation and user-paged faults (benches.hpp). The cross-task server is the separate
// program bench_server on the boot endpoint. Exits with the number of
// failed checks, which fails the boot test.
#include "bench/atoll/benches.hpp"
#include "bench/atoll/measure.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"

using namespace atoll_os;
using namespace atoll_os::user;
using bench::measure;

namespace {

constexpr uint64_t kEndpoint = 5, kPing = 6, kPong = 7;
constexpr unsigned kBatches = 64, kPerBatch = 64;
// bench_server: stop; switch to capability transfers; yield N times
constexpr uint64_t kStop = ~0ull, kTransfers = ~1ull, kYields = ~2ull;

alignas(16) char g_server_stack[16384], g_yield_stack[8192], g_pong_stack[8192];
volatile bool g_yielding = true;

void echo_server(Utcb*)
{
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, kEndpoint, 0, m, &badge, &info);
    while (ok(s) && m.w[0] != kStop) s = ipc_syscall(sys::kReplyReceive, kEndpoint, info & 0xff00, m, &badge, &info);
    (void)reply(Message{});
    thread_exit(0);
}

void yielder(Utcb*)
{
    while (g_yielding) (void)yield();
    thread_exit(0);
}

void ponger(Utcb*)
{
    uint64_t bits;
    for (;;) {
        if (!ok(wait(kPing, bits)) || bits == 2) break;
        (void)signal(kPong, 1);
    }
    thread_exit(0);
}

uint64_t raw_null() { return raw_syscall(sys::kNull); }

// One call to bench_server passing a send right to kEndpoint; the server
// answers with the status of deleting what arrived.
bool transfer_works()
{
    Message m{{1, 2, 3, 4}};
    return ok(call(sys::kSlotBootEndpoint, m, ipcflags::kTransferCap)) && m.w[0] == uint64_t(Status::kOk);
}

unsigned check(bool passed, const char* what)
{
    if (!passed) print("bench: FAILED: %s", what);
    return passed ? 0 : 1;
}

} // namespace

int main()
{
    Message hz{};
    (void)ipc_syscall(sys::kTscFrequency, 0, 0, hz);
    const uint64_t tsc_hz = hz.w[0];
    print("bench: TSC %lu Hz", tsc_hz);

    measure("atoll/null_syscall", tsc_hz, kBatches, kPerBatch, 1, [] { (void)raw_null(); });

    (void)endpoint_create(sys::kSlotSelf, kEndpoint);
    (void)thread_create(sys::kSlotSelf, echo_server, g_server_stack + sizeof g_server_stack, 100);
    (void)yield(); // the server waits on the endpoint
    measure("atoll/ipc_roundtrip/same_core/same_task/short", tsc_hz, kBatches, kPerBatch, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)call(kEndpoint, m);
    });
    measure("atoll/ipc_roundtrip/same_core/same_task/64_words", tsc_hz, kBatches, kPerBatch, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)ipc_syscall(sys::kCall, kEndpoint, ipcflags::with_length(64), m);
    });
    measure("atoll/ipc_roundtrip/same_core/cross_task/short", tsc_hz, kBatches, kPerBatch, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)call(sys::kSlotBootEndpoint, m);
    });
    measure("atoll/ipc_roundtrip/same_core/cross_task/64_words", tsc_hz, kBatches, kPerBatch, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)ipc_syscall(sys::kCall, sys::kSlotBootEndpoint, ipcflags::with_length(64), m);
    });
    // The server takes the capability into a slot and deletes it before
    // replying: the round trip plus one derivation and one delete.
    Message transfers{{kTransfers, 0, 0, 0}};
    (void)call(sys::kSlotBootEndpoint, transfers);
    main_utcb->transfer_slot = kEndpoint;
    main_utcb->transfer_rights = rights::kSend;
    unsigned failures = check(transfer_works(), "cap_transfer: before");
    measure("atoll/cap_transfer/same_core/cross_task", tsc_hz, kBatches, kPerBatch, 1, [] {
        Message m{{1, 2, 3, 4}};
        (void)call(sys::kSlotBootEndpoint, m, ipcflags::kTransferCap);
    });
    failures += check(transfer_works(), "cap_transfer: after");
    Message stop{{kStop, 0, 0, 0}};
    (void)call(kEndpoint, stop);

    // bench_server yields as often as measure() will (warm-up included),
    // plus one: every yield here switches to the other task and back.
    Message yields{{kYields, kPerBatch + kBatches * kPerBatch + 1, 0, 0}};
    failures += check(ok(call(sys::kSlotBootEndpoint, yields)), "context_switch: bench_server yields");
    measure("atoll/context_switch/same_core/cross_task", tsc_hz, kBatches, kPerBatch, 2, [] { (void)yield(); });
    Message stop_remote{{kStop, 0, 0, 0}};
    failures += check(ok(call(sys::kSlotBootEndpoint, stop_remote)), "bench_server stopped");

    (void)thread_create(sys::kSlotSelf, yielder, g_yield_stack + sizeof g_yield_stack, 100);
    measure("atoll/context_switch/same_core/same_task", tsc_hz, kBatches, kPerBatch, 2, [] { (void)yield(); });
    g_yielding = false;
    (void)yield();

    (void)notification_create(sys::kSlotSelf, kPing);
    (void)notification_create(sys::kSlotSelf, kPong);
    (void)thread_create(sys::kSlotSelf, ponger, g_pong_stack + sizeof g_pong_stack, 100);
    measure("atoll/notification_pingpong/same_core", tsc_hz, kBatches, kPerBatch, 1, [] {
        uint64_t bits;
        (void)signal(kPing, 1);
        (void)wait(kPong, bits);
    });
    (void)signal(kPing, 2);

    failures += bench::capability_benches(tsc_hz);
    failures += bench::thread_benches(tsc_hz);
    print("bench: done, %u failure(s)", failures);
    return int(failures);
}
