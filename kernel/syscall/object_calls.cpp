// Object creation, notification and capability-copy system calls.
#include "kernel/syscall/object_calls.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/reply.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/remote_ipc.hpp"

namespace atoll_os {
namespace {

// Creates with `make` charged to the Task capability's quota and installs
// the result in the caller's `dest` slot.
template <class T> Status create_into(Thread* self, uint64_t task_slot, uint64_t dest)
{
    Task* task;
    Status s = self->task->caps().lookup(task_slot, rights::kCreate, task);
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    if (dest >= CapSpace::kSlots) return Status::kInvalidCapability;
    T* obj = T::create(task->quota(), s);
    if (!obj) return s;
    s = self->task->caps().install(dest, obj, rights::kSend | rights::kReceive | rights::kGrant, 0);
    if (!ok(s)) obj->destroy();
    return s;
}

} // namespace

Status sys_endpoint_create(Thread* self, uint64_t task_slot, uint64_t dest)
{
    return create_into<Endpoint>(self, task_slot, dest);
}

Status sys_notification_create(Thread* self, uint64_t task_slot, uint64_t dest)
{
    return create_into<Notification>(self, task_slot, dest);
}

Status sys_thread_create(Thread* self, const InterruptFrame& f)
{
    Task* task;
    Status s = self->task->caps().lookup(f.rdi, rights::kCreate, task);
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    uint32_t id = 0;
    s = start_thread(*task, f.rsi, f.rdx, f.r10, self->priority, f.r8, id);
    if (ok(s)) self->frame.rdx = id;
    return s;
}

Status start_thread(Task& task, uint64_t entry, uint64_t stack, uint64_t priority, uint8_t max_priority,
                    uint64_t argument, uint32_t& id)
{
    // No escalation: a thread cannot create one that outranks it.
    if (entry >= sys::kUserLimit || stack >= sys::kUserLimit || priority > max_priority || priority == 0)
        return Status::kInvalidArgument;
    Status s;
    Thread* t = Thread::create(task, entry, stack, uint8_t(priority), task.live_threads ? "worker" : "main", s);
    if (!t) return s;
    t->frame.rsi = argument; // a word for the new thread's second argument
    id = t->id;
    scheduler().make_ready(t);
    return Status::kOk;
}

namespace {

// A notification another core owns: kept out of sys_signal's fast path.
[[gnu::noinline]] Status signal_remote(Thread* self, uint64_t slot, uint64_t bits)
{
    RemoteRef* ref;
    Status s = self->task->caps().lookup(slot, rights::kSend, ref);
    if (!ok(s)) return s;
    return ref->remote_type() == ObjectType::kNotification ? remote_signal(*ref, bits) : Status::kWrongType;
}

} // namespace

Status sys_signal(Thread* self, uint64_t slot, uint64_t bits)
{
    Notification* n;
    Status s = self->task->caps().lookup(slot, rights::kSend, n);
    if (ok(s)) n->signal(bits);
    else if (s == Status::kWrongType) s = signal_remote(self, slot, bits);
    return s;
}

Status sys_wait(Thread* self, uint64_t slot, bool block)
{
    Notification* n;
    Status s = self->task->caps().lookup(slot, rights::kReceive, n);
    if (!ok(s)) return s;
    if (n->pending() || !block) {
        self->frame.rdx = n->take();
        return Status::kOk;
    }
    if (n->waiter) return Status::kInvalidArgument; // one waiter per notification
    n->waiter = self;
    self->waiting_on = n;
    self->state = Thread::State::kBlockedSignal;
    scheduler().block_current();
    return Status::kOk;
}

Status sys_notification_bind(Thread* self, uint64_t slot)
{
    Notification* n;
    Status s = self->task->caps().lookup(slot, rights::kReceive, n);
    if (!ok(s)) return s;
    if (n->bound && n->bound != self) return Status::kInvalidArgument; // bound to another thread
    if (self->bound_notification) self->bound_notification->bound = nullptr;
    n->bound = self;
    self->bound_notification = n;
    return Status::kOk;
}

Status sys_task_set_fault_handler(Thread* self, uint64_t task_slot, uint64_t endpoint_slot)
{
    Task* task;
    Endpoint* ep;
    uint64_t badge;
    Status s = self->task->caps().lookup(task_slot, rights::kCreate, task);
    if (ok(s)) s = self->task->caps().lookup(endpoint_slot, rights::kSend, ep, &badge);
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    ep->add_ref(); // the task holds it like a capability
    if (task->fault_endpoint) release_object(task->fault_endpoint);
    task->fault_endpoint = ep;
    task->fault_badge = badge;
    return Status::kOk;
}

Status sys_map_anonymous(Thread* self, const InterruptFrame& f)
{
    Task* task;
    Status s = self->task->caps().lookup(f.rdi, rights::kCreate, task);
    if (!ok(s)) return s;
    uint64_t va = f.rsi, bytes = f.rdx, flags = f.r10;
    if (flags & ~uint64_t(3) || ((flags & 1) && (flags & 2))) return Status::kInvalidArgument; // never W+X
    return task->map_anonymous(va, bytes, MapFlags{.write = (flags & 1) != 0, .execute = (flags & 2) != 0});
}

Status sys_reply_save(Thread* self, uint64_t task_slot, uint64_t dest)
{
    if (!self->reply_to) return Status::kInvalidArgument; // nothing to save
    Status s = create_into<Reply>(self, task_slot, dest);
    if (!ok(s)) return s;
    Reply* reply;
    s = self->task->caps().lookup(dest, rights::kSend, reply);
    return ok(s) ? ipc_save_reply(self, reply) : s;
}

Status sys_cap_revoke(Thread* self, uint64_t slot)
{
    CapSpace& caps = self->task->caps();
    Status s = caps.revoke(slot); // the capability itself stays, and with it the object
    if (!ok(s)) return s;
    const Capability& c = caps.at(slot);
    if (!c.parent && (c.object->export_slot || remote_revoke_under_way())) [[unlikely]]
        (void)remote_revoke(self, *c.object); // other cores' copies too; may block until they confirm
    return s;
}

Status sys_cap_copy(Thread* self, const InterruptFrame& f)
{
    if (f.r10 == sys::kNotificationBadge) return Status::kInvalidArgument; // reserved for notifications
    return self->task->caps().copy(f.rdi, f.rsi, uint32_t(f.rdx), f.r10);
}

} // namespace atoll_os
