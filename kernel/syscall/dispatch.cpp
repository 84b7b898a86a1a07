// System-call dispatch and the user-mode interrupt path. Both end by going
// back to user mode through the scheduler, never by returning.
#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/log.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "kernel/syscall/user_access.hpp"

namespace atoll_os {
namespace {

Status sys_debug_write(uint64_t text, uint64_t len)
{
    if (len > sys::kMaxDebugWrite) return Status::kInvalidArgument;
    char buf[sys::kMaxDebugWrite + 1];
    Status s = copy_from_user(buf, text, len);
    if (!ok(s)) return s;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) --len;
    for (uint64_t i = 0; i < len; ++i)
        if (buf[i] < 0x20 || buf[i] > 0x7e) buf[i] = '?'; // one line, printable: the log stays parseable
    Thread* t = scheduler().current();
    klog("%s: %.*s", t->task->name(), int(len), buf);
    return Status::kOk;
}

} // namespace

extern "C" [[noreturn]] void syscall_dispatch(InterruptFrame* f)
{
    Scheduler& s = scheduler();
    switch (f->rax) {
    case sys::kDebugWrite:
        f->rax = uint64_t(sys_debug_write(f->rdi, f->rsi));
        break;
    case sys::kThreadExit:
        s.exit_current(int64_t(f->rdi));
        break;
    case sys::kYield:
        f->rax = uint64_t(Status::kOk);
        s.yield_current();
        break;
    case sys::kSleep:
        f->rax = uint64_t(Status::kOk);
        s.sleep_current(f->rdi);
        break;
    default:
        f->rax = uint64_t(Status::kNoSuchCall);
        break;
    }
    s.resume();
}

extern "C" [[noreturn]] void user_interrupt_dispatch(InterruptFrame* f)
{
    uint8_t vec = uint8_t(f->vector);
    if (vec == vector::kNmi) cpu::halt_forever(); // another core panicked
    if (vec < 32) {
        // A fault in user mode ends that thread, nothing else.
        scheduler().kill_current(exception_name(vec), f->rip, vec == 14 ? cpu::read_cr2() : 0);
        scheduler().resume();
    }
    run_interrupt_handler(*f);
    scheduler().resume();
}

} // namespace atoll_os
