// Faults as IPC: a handler thread serves its task's faults. Page faults in
// a heap region are resolved by mapping memory on demand, a #UD is resumed
// past the bad instruction, and a wild write gets its thread killed, while
// everything else goes on.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kFaults = 5;
constexpr uint64_t kHeap = 0x0000100000000000ull, kHeapBytes = 1 << 20, kPages = 16;

alignas(16) char g_handler_stack[16384];
alignas(16) char g_victim_stack[8192];
volatile uint64_t g_page_faults, g_other_faults, g_victim_survived;

void c(bool ok, const char* what) { check(ok, "pager", what); }

void handler(Utcb*)
{
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, kFaults, 0, m, &badge, &info);
    while (ok(s)) {
        Message answer{{sys::kFaultKill, 0, 0, 0}};
        uint64_t address = m.w[0], ip = m.w[1], vector = m.w[2] & 0xff;
        if (!(info & sys::kFaultMessage)) {
            break; // an ordinary message: time to stop
        } else if (vector == 14 && address >= kHeap && address < kHeap + kHeapBytes) {
            uint64_t page = address & ~uint64_t(4095);
            if (ok(map_anonymous(sys::kSlotSelf, page, 4096, kMapWrite))) answer.w[0] = sys::kFaultResume;
            g_page_faults = g_page_faults + 1;
        } else if (vector == 6) {
            answer = Message{{sys::kFaultResume, ip + 2, 0, 0}}; // ud2 is two bytes
            g_other_faults = g_other_faults + 1;
        } else {
            g_other_faults = g_other_faults + 1; // anything else: kill the thread
        }
        m = answer; // sent as the reply, overwritten by the next message
        s = ipc_syscall(sys::kReplyReceive, kFaults, 0, m, &badge, &info);
    }
    thread_exit(0);
}

void victim(Utcb*)
{
    *reinterpret_cast<volatile uint64_t*>(0x10) = 1;
    g_victim_survived = 1;
    thread_exit(0);
}

} // namespace

int main()
{
    c(endpoint_create(sys::kSlotSelf, kFaults) == Status::kOk, "endpoint");
    c(ok(task_set_fault_handler(sys::kSlotSelf, kFaults)), "set_fault_handler");
    c(ok(thread_create(sys::kSlotSelf, handler, g_handler_stack + sizeof g_handler_stack, 100)), "handler_thread");
    (void)sleep_micros(10000); // the handler waits for faults

    // Demand paging: every first touch of a page is one fault.
    auto* heap = reinterpret_cast<volatile uint64_t*>(kHeap);
    for (uint64_t p = 0; p < kPages; ++p) heap[p * 512] = p * 7 + 1;
    bool intact = true;
    for (uint64_t p = 0; p < kPages; ++p) intact = intact && heap[p * 512] == p * 7 + 1;
    c(intact, "demand_paged_memory_holds_data");
    c(g_page_faults == kPages, "one_fault_per_page");

    asm volatile("ud2");
    c(g_other_faults == 1, "exception_resumed_by_handler");

    c(ok(thread_create(sys::kSlotSelf, victim, g_victim_stack + sizeof g_victim_stack, 100)), "victim_thread");
    (void)sleep_micros(20000);
    c(g_victim_survived == 0 && g_other_faults == 2, "handler_killed_the_faulting_thread");
    c(map_anonymous(sys::kSlotSelf, 0x200000000ull, 4096, kMapWrite | kMapExecute) == Status::kInvalidArgument,
      "no_writable_and_executable_memory");
    c(map_anonymous(sys::kSlotSelf, kHeap, 4096, kMapWrite) == Status::kInvalidArgument,
      "no_double_mapping");
    c(ok(send(kFaults, Message{})), "handler_told_to_stop");
    return g_check_failures;
}
