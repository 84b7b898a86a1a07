// System-call dispatch and the user-mode interrupt path. Both end by going
// back to user mode through the scheduler, never by returning.
#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/perf_counters.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/log.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/log_port.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "kernel/syscall/object_calls.hpp"
#include "kernel/syscall/user_access.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/messenger.hpp"
#include "percpu/remote_invoke.hpp"

namespace atoll_os {
namespace {

// One printable line from user memory; len 0 afterwards means nothing to say.
Status copy_log_line(char (&buf)[sys::kMaxDebugWrite + 1], uint64_t text, uint64_t& len)
{
    if (len > sys::kMaxDebugWrite) return Status::kInvalidArgument;
    Status s = copy_from_user(buf, text, len);
    if (!ok(s)) return s;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) --len;
    for (uint64_t i = 0; i < len; ++i)
        if (buf[i] < 0x20 || buf[i] > 0x7e) buf[i] = '?'; // one line, printable: the log stays parseable
    return Status::kOk;
}

Status sys_debug_write(uint64_t text, uint64_t len)
{
    char buf[sys::kMaxDebugWrite + 1];
    Status s = copy_log_line(buf, text, len);
    if (ok(s) && len) klog("%s: %.*s", scheduler().current()->task->name(), int(len), buf);
    return s;
}

// The holder of a log port writes lines as they are: the console service
// puts its own prefix (program and core) on them.
Status sys_log_write(uint64_t port_slot, uint64_t text, uint64_t len)
{
    LogPort* port;
    Status s = scheduler().current()->task->caps().lookup(port_slot, rights::kSend, port);
    if (s == Status::kWrongType) {
        // Another core's log port (a console placed on another core): the
        // capability is the right to write the log, and every core's kernel
        // has one, forwarded to the core with the UART.
        RemoteRef* ref;
        s = scheduler().current()->task->caps().lookup(port_slot, rights::kSend, ref);
        if (ok(s)) s = ref->revoked ? Status::kDead
                       : ref->remote_type() != ObjectType::kLogPort ? Status::kWrongType : Status::kOk;
    }
    if (!ok(s)) return s;
    char buf[sys::kMaxDebugWrite + 1];
    s = copy_log_line(buf, text, len);
    if (ok(s) && len) klog("%.*s", int(len), buf);
    return s;
}

} // namespace

extern "C" [[noreturn]] void syscall_dispatch(InterruptFrame* f)
{
    Scheduler& s = scheduler();
    // A call on a Task capability that names another core's task goes
    // there; only these calls pay for the check.
    auto task_call = [&](auto local) {
        if (!invoke_if_remote(s.current(), *f)) f->rax = uint64_t(local());
    };
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
    case sys::kCall: ipc_call(s.current(), f->rdi, f->rsi); break;
    case sys::kSend: ipc_send(s.current(), f->rdi, f->rsi); break;
    case sys::kReceive: ipc_receive(s.current(), f->rdi, f->rsi); break;
    case sys::kReply: ipc_reply(s.current()); break;
    case sys::kReplyReceive: ipc_reply_receive(s.current(), f->rdi, f->rsi); break;
    case sys::kEndpointCreate: task_call([&] { return sys_endpoint_create(s.current(), f->rdi, f->rsi); }); break;
    case sys::kThreadCreate: task_call([&] { return sys_thread_create(s.current(), *f); }); break;
    case sys::kCapCopy: f->rax = uint64_t(sys_cap_copy(s.current(), *f)); break;
    case sys::kNotificationCreate:
        task_call([&] { return sys_notification_create(s.current(), f->rdi, f->rsi); });
        break;
    case sys::kSignal: f->rax = uint64_t(sys_signal(s.current(), f->rdi, f->rsi)); break;
    case sys::kWait: f->rax = uint64_t(sys_wait(s.current(), f->rdi, true)); break;
    case sys::kPoll: f->rax = uint64_t(sys_wait(s.current(), f->rdi, false)); break;
    case sys::kNotificationBind: f->rax = uint64_t(sys_notification_bind(s.current(), f->rdi)); break;
    case sys::kCapMove: f->rax = uint64_t(s.current()->task->caps().move(f->rdi, f->rsi)); break;
    case sys::kCapDelete: f->rax = uint64_t(s.current()->task->caps().remove(f->rdi)); break;
    case sys::kCapRevoke: f->rax = uint64_t(sys_cap_revoke(s.current(), f->rdi)); break;
    case sys::kTaskSetFaultHandler:
        task_call([&] { return sys_task_set_fault_handler(s.current(), f->rdi, f->rsi); });
        break;
    case sys::kMapAnonymous: f->rax = uint64_t(sys_map_anonymous(s.current(), *f)); break;
    case sys::kReplySave: f->rax = uint64_t(sys_reply_save(s.current(), f->rdi, f->rsi)); break;
    case sys::kReplyWith: ipc_reply_with(s.current(), f->rdi); break;
    case sys::kNull: f->rax = uint64_t(Status::kOk); break;
    case sys::kTscFrequency:
        f->rdx = boot_info().tsc_hz;
        f->rax = uint64_t(Status::kOk);
        break;
    case sys::kFrameCreate: task_call([&] { return sys_frame_create(s.current(), f->rdi, f->rsi, f->rdx); }); break;
    case sys::kMap: task_call([&] { return sys_map(s.current(), *f); }); break;
    case sys::kUnmap: f->rax = uint64_t(sys_unmap(s.current(), f->rdi)); break;
    case sys::kFrameInfo: f->rax = uint64_t(sys_frame_info(s.current(), f->rdi)); break;
    case sys::kTaskCreate: task_call([&] { return sys_task_create(s.current(), *f); }); break;
    case sys::kCapGive: task_call([&] { return sys_cap_give(s.current(), *f); }); break;
    case sys::kTaskWatch: task_call([&] { return sys_task_watch(s.current(), f->rdi, f->rsi, f->rdx); }); break;
    case sys::kTaskInfo: task_call([&] { return sys_task_info(s.current(), f->rdi); }); break;
    case sys::kTaskSpan:
        task_call([&] {
            Task* here;
            Status st = s.current()->task->caps().lookup(f->rdi, rights::kCreate, here);
            return ok(st) ? Status::kInvalidArgument : st; // a span goes on another core than its origin
        });
        break;
    case sys::kCoreInfo:
        f->rdx = this_core().core;
        f->r10 = boot_info().topology.core_count;
        f->r8 = perf_counters_word();
        f->rax = uint64_t(Status::kOk);
        break;
    case sys::kLogWrite: f->rax = uint64_t(sys_log_write(f->rdi, f->rsi, f->rdx)); break;
    case sys::kIrqCreate: f->rax = uint64_t(sys_irq_create(s.current(), *f)); break;
    case sys::kIrqAck: f->rax = uint64_t(sys_irq_ack(s.current(), f->rdi)); break;
    case sys::kIoPortCreate: f->rax = uint64_t(sys_io_port_create(s.current(), *f)); break;
    case sys::kIoPortEnable: f->rax = uint64_t(sys_io_port_enable(s.current(), f->rdi)); break;
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
        // A fault in user mode goes to the task's fault handler as a call;
        // without one it ends that thread, nothing else.
        uint64_t address = vec == 14 ? cpu::read_cr2() : 0;
        if (!ipc_send_fault(scheduler().current(), vec, f->error_code, address))
            scheduler().kill_current(exception_name(vec), f->rip, address);
        scheduler().resume();
    }
    run_interrupt_handler(*f);
    // User code was running: the channels were not served meanwhile. A
    // doorbell here is urgent (a peer waits for a TLB shootdown); on a tick,
    // serve them too, so a core busy in user mode answers its peers within
    // a tick instead of whenever it next idles. Interrupted user code holds
    // no kernel state, so every handler may run here.
    if (vec == vector::kChannelDoorbell || vec == vector::kTimer) messenger().poll();
    scheduler().resume();
}

} // namespace atoll_os
