// System calls with which one task creates and sets up another, and learns
// how it ended: what a root task needs to load programs.
#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/syscall/object_calls.hpp"
#include "kernel/syscall/user_access.hpp"

namespace atoll_os {

Status sys_task_create(Thread* self, const InterruptFrame& f)
{
    Task* payer;
    Status s = self->task->caps().lookup(f.rdi, rights::kCreate, payer);
    if (!ok(s)) return s;
    if (payer->dead()) return Status::kDead;
    const uint64_t dest = f.rsi, quota = f.rdx, name_len = f.r8;
    if (dest >= CapSpace::kSlots) return Status::kInvalidCapability;
    if (name_len == 0 || name_len >= Task::kNameMax) return Status::kInvalidArgument;
    char name[Task::kNameMax];
    s = copy_from_user(name, f.r10, name_len);
    Task* task = nullptr;
    if (ok(s)) s = make_task(payer->quota(), name, name_len, quota, task);
    if (!ok(s)) return s;
    s = self->task->caps().install(dest, task, rights::kAll, 0);
    if (!ok(s)) task->exit(0); // never ran: gives everything back and frees itself
    return s;
}

Status make_task(Quota& payer, const char* name, uint64_t name_len, uint64_t quota, Task*& task)
{
    if (quota == 0 || quota > sys::kMaxTaskQuota || name_len == 0 || name_len >= Task::kNameMax)
        return Status::kInvalidArgument;
    char copy[Task::kNameMax];
    for (uint64_t i = 0; i < name_len; ++i) {
        if (name[i] <= 0x20 || name[i] > 0x7e) return Status::kInvalidArgument; // it names the task in the log
        copy[i] = name[i];
    }
    copy[name_len] = '\0';
    Status s;
    task = Task::create(payer, copy, quota, s);
    return task ? Status::kOk : s;
}

Status sys_cap_give(Thread* self, const InterruptFrame& f)
{
    Task* target;
    Status s = self->task->caps().lookup(f.rsi, rights::kCreate, target);
    if (!ok(s)) return s;
    if (target->dead()) return Status::kDead;
    if (f.r8 == sys::kNotificationBadge) return Status::kInvalidArgument; // reserved for notifications
    return self->task->caps().derive_into(f.rdi, target->caps(), f.rdx, uint32_t(f.r10), f.r8);
}

Status sys_task_watch(Thread* self, uint64_t task_slot, uint64_t notification_slot, uint64_t bits)
{
    Task* task;
    Notification* n;
    CapSpace& caps = self->task->caps();
    Status s = caps.lookup(task_slot, rights::kCreate, task);
    if (ok(s)) s = caps.lookup(notification_slot, rights::kSend, n);
    if (!ok(s)) return s;
    if (bits == 0) return Status::kInvalidArgument;
    if (task->dead()) {
        n->signal(bits); // already over: the watcher hears at once
        return Status::kOk;
    }
    n->add_ref(); // the task holds it like a capability until it exits
    if (task->exit_watch) release_object(task->exit_watch);
    task->exit_watch = n;
    task->exit_bits = bits;
    return Status::kOk;
}

Status sys_task_info(Thread* self, uint64_t task_slot)
{
    Task* task;
    Status s = self->task->caps().lookup(task_slot, 0, task);
    if (!ok(s)) return s;
    self->frame.rdx = task->live_threads;
    self->frame.r10 = uint64_t(task->exit_code);
    self->frame.r8 = !task->dead() ? sys::kTaskRunning : task->killed ? sys::kTaskKilled : sys::kTaskExited;
    return Status::kOk;
}

} // namespace atoll_os
