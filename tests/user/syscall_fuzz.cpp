// A million random and malformed system calls: random numbers, capability
// slots, rights, badges, lengths and pointers (kernel, non-canonical,
// unmapped, straddling the user limit). The kernel must answer each with a
// status and keep running; afterwards the kernel's self-check (run when the
// last task exits) must find every frame, heap byte and quota byte returned.
// Before that, a deterministic phase creates threads until the task's
// kernel-memory quota runs out, which must be a status, not a crash.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kCalls = 1'000'000;

uint64_t g_state = 0x9e3779b97f4a7c15ull;
uint64_t next_random()
{
    // xorshift64*: fixed seed, so a failure replays exactly.
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * 0x2545f4914f6cdd1dull;
}

alignas(16) char g_buffer[4096];
alignas(16) char g_stack[4096];

void quick_exit_thread(Utcb*) { thread_exit(0); }

// Values that probe the kernel's checks more than uniform noise does.
uint64_t interesting_value()
{
    static const uint64_t values[] = {
        0, 1, 2, 7, 255, 256, 257, 4095, 4096, ~0ull, ~0ull >> 1, 0x8000000000000000ull,
        0x00007ffffffff000ull, 0x0000800000000000ull, 0xffff800000000000ull, 0xffffffff80100000ull,
        0x1000, 0x400000, 0x00007fffffff0000ull - 8,
    };
    uint64_t r = next_random();
    switch (r % 4) {
    case 0: return values[(r >> 8) % (sizeof values / sizeof values[0])];
    case 1: return reinterpret_cast<uint64_t>(g_buffer) + ((r >> 8) % 8192); // valid, then past the buffer
    case 2: return (r >> 8) % ((r & 0x80) ? 16 : 300);                         // slot-sized, mostly in use
    default: return next_random();
    }
}

// Numbers weighted toward real calls; never exit, never block, never sleep
// (a sleep lasts at least one timer tick, and a million of them would not).
uint64_t pick_call()
{
    static const uint64_t calls[] = {
        sys::kDebugWrite, sys::kYield, sys::kCall, sys::kSend, sys::kReceive, sys::kReply,
        sys::kReplyReceive, sys::kEndpointCreate, sys::kCapCopy, sys::kCapDelete, sys::kCapRevoke,
        sys::kNotificationCreate, sys::kSignal, sys::kPoll, sys::kNotificationBind, sys::kTaskSetFaultHandler,
        sys::kMapAnonymous, sys::kReplySave, sys::kReplyWith, sys::kIrqCreate, sys::kIrqAck, sys::kIoPortCreate,
        sys::kIoPortEnable, 99, ~0ull,
    };
    return calls[next_random() % (sizeof calls / sizeof calls[0])];
}

uint64_t fuzz_one(uint64_t n)
{
    uint64_t a0 = interesting_value(), a1 = interesting_value();
    Message m{{interesting_value(), interesting_value(), interesting_value(), interesting_value()}};
    switch (n) {
    case sys::kCall: case sys::kSend: case sys::kReceive: case sys::kReplyReceive:
        a1 |= kNonBlocking; break;                                       // never wait forever
    case sys::kDebugWrite:
        // Only writes the kernel must refuse (or empty ones): a valid one
        // prints a line, and a million lines would be the test.
        // Mapped user memory becomes an unmapped user page (the fault fixup
        // path) of the same offset.
        if (a0 >= 0x1000 && a0 < sys::kUserLimit) a0 = 0x10000000 + (a0 & 0xfff);
        if (a0 < 0x1000) a1 %= 2;
        break;
    default: break;
    }
    return uint64_t(ipc_syscall(n, a0, a1, m));
}

} // namespace

int main()
{
    // Quota exhaustion: lowest-priority threads pile up (they cannot run
    // while we do) until the task's quota says no.
    uint64_t created = 0;
    Status s = Status::kOk;
    while (ok(s) && created < 100000) {
        s = thread_create(sys::kSlotSelf, quick_exit_thread, g_stack + sizeof g_stack, 1);
        if (ok(s)) ++created;
    }
    check(s == Status::kQuotaExceeded && created > 10, "syscall_fuzz", "quota_exhaustion_is_a_status");
    (void)sleep_micros(200000); // let them run and exit, returning the quota
    check(ok(thread_create(sys::kSlotSelf, quick_exit_thread, g_stack + sizeof g_stack, 1)), "syscall_fuzz",
          "quota_returns_after_exit");
    (void)sleep_micros(10000);

    uint64_t by_status[uint64_t(Status::kCount) + 1] = {};
    for (uint64_t i = 0; i < kCalls; ++i) {
        if (i % 1024 == 0) {
            // Garbage where long messages and capability transfers are described.
            main_utcb->transfer_slot = interesting_value();
            main_utcb->transfer_rights = next_random();
            main_utcb->receive_slot = interesting_value();
        }
        uint64_t st = fuzz_one(pick_call());
        ++by_status[st < uint64_t(Status::kCount) ? st : uint64_t(Status::kCount)];
    }
    print("syscall_fuzz: %lu calls; ok %lu, invalid capability %lu, wrong type %lu, no rights %lu, bad address %lu, "
          "would block %lu, other %lu", kCalls, by_status[0], by_status[uint64_t(Status::kInvalidCapability)],
          by_status[uint64_t(Status::kWrongType)], by_status[uint64_t(Status::kNoRights)],
          by_status[uint64_t(Status::kBadAddress)], by_status[uint64_t(Status::kWouldBlock)],
          kCalls - by_status[0] - by_status[uint64_t(Status::kInvalidCapability)] -
              by_status[uint64_t(Status::kWrongType)] - by_status[uint64_t(Status::kNoRights)] -
              by_status[uint64_t(Status::kBadAddress)] - by_status[uint64_t(Status::kWouldBlock)]);
    check(by_status[uint64_t(Status::kCount)] == 0, "syscall_fuzz", "every_answer_is_a_known_status");
    check(by_status[uint64_t(Status::kBadAddress)] > 0 && by_status[uint64_t(Status::kInvalidCapability)] > 0 &&
              by_status[0] > 0,
          "syscall_fuzz", "reached_success_and_error_paths");
    return g_check_failures;
}
