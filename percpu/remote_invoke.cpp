// Remote invocation: the caller's side, the owner's side, the messages.
#include "percpu/remote_invoke.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/log.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "kernel/syscall/object_calls.hpp"
#include "kernel/syscall/user_access.hpp"
#include "percpu/exports.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"
#include "percpu/remote_ipc.hpp"
#include "percpu/span.hpp"
#include "percpu/topology.hpp"
#include "percpu/transfer.hpp"

namespace atoll_os {
namespace {

constexpr uint32_t kNothingMade = ~0u;

// What a capability names, looking through a RemoteRef.
ObjectType named_type(const KObject& o)
{
    return o.type() == ObjectType::kRemoteRef ? static_cast<const RemoteRef&>(o).remote_type() : o.type();
}

// ---- the caller's side ----

// The capability argument of a call, as the owner core will find it.
// `type` kRemoteRef: any type.
Status argument(Thread* self, uint64_t slot, uint32_t needed, ObjectType type, uint32_t mask, uint32_t owner,
                IpcCap& out)
{
    CapSpace& caps = self->task->caps();
    if (slot >= CapSpace::kSlots || !caps.at(slot).object) return Status::kInvalidCapability;
    const Capability& cap = caps.at(slot);
    if (type != ObjectType::kRemoteRef && named_type(*cap.object) != type) return Status::kWrongType;
    if ((cap.rights & needed) != needed) return Status::kNoRights;
    return remote_cap_out(cap, mask, owner, out);
}

Status free_slot(Thread* self, uint64_t dest)
{
    if (dest >= CapSpace::kSlots) return Status::kInvalidCapability;
    return self->task->caps().at(dest).object ? Status::kSlotOccupied : Status::kOk;
}

Status send_invoke(Thread* self, const InterruptFrame& f, const RemoteRef& ref, uint32_t held)
{
    const uint64_t op = f.rax;
    const uint32_t owner = ref.owner();
    Invoke inv{ref.token(), uint16_t(op), self->priority, 0, held, reinterpret_cast<uint64_t>(self), {}};
    InvokeName name{};
    IpcCap cap{};
    uint64_t dest = 0;
    Status s = Status::kOk;
    switch (op) {
    case sys::kEndpointCreate:
    case sys::kNotificationCreate: s = free_slot(self, dest = f.rsi); break;
    case sys::kFrameCreate:
        s = free_slot(self, dest = f.rsi);
        inv.a[0] = f.rdx;
        break;
    case sys::kTaskCreate:
        s = free_slot(self, dest = f.rsi);
        inv.a[0] = f.rdx;
        inv.a[1] = f.r8;
        if (ok(s) && (f.r8 == 0 || f.r8 >= sizeof name.text)) s = Status::kInvalidArgument;
        if (ok(s)) s = copy_from_user(name.text, f.r10, f.r8);
        inv.flags |= kInvokeCarriesName;
        break;
    case sys::kThreadCreate: inv.a[0] = f.rsi, inv.a[1] = f.rdx, inv.a[2] = f.r10, inv.a[3] = f.r8; break;
    case sys::kMap: {
        if (f.r10 & ~uint64_t(3) || f.r10 == 3) return Status::kInvalidArgument; // never writable and executable
        const uint32_t needed =
            rights::kRead | (f.r10 & 1 ? rights::kWrite : 0) | (f.r10 & 2 ? rights::kExecute : 0);
        s = argument(self, f.rsi, needed, ObjectType::kFrame, rights::kAll, owner, cap);
        inv.a[0] = f.rdx, inv.a[1] = f.r10, inv.a[2] = f.r8, inv.a[3] = f.r9;
        break;
    }
    case sys::kCapGive:
        if (f.r8 == sys::kNotificationBadge) return Status::kInvalidArgument; // reserved for notifications
        s = argument(self, f.rdi, 0, ObjectType::kRemoteRef, uint32_t(f.r10), owner, cap);
        if (!cap.badge) cap.badge = f.r8;
        inv.a[0] = f.rdx;
        break;
    case sys::kTaskWatch:
        if (f.rdx == 0) return Status::kInvalidArgument;
        s = argument(self, f.rsi, rights::kSend, ObjectType::kNotification, rights::kAll, owner, cap);
        inv.a[0] = f.rdx;
        break;
    case sys::kTaskSetFaultHandler:
        s = argument(self, f.rsi, rights::kSend, ObjectType::kEndpoint, rights::kAll, owner, cap);
        break;
    case sys::kTaskSpan: {
        s = free_slot(self, dest = f.rsi);
        inv.a[0] = f.rdx;
        Task* origin = nullptr;
        if (ok(s)) s = self->task->caps().lookup(f.r10, rights::kCreate, origin); // a task of this core
        if (ok(s) && origin->dead()) s = Status::kDead;
        if (ok(s) && origin->is_span()) s = Status::kInvalidArgument; // span the origin itself
        if (ok(s) && span_on(*origin, owner)) s = Status::kAddressInUse;
        if (ok(s)) s = argument(self, f.r10, rights::kCreate, ObjectType::kTask, rights::kAll, owner, cap);
        if (!ok(s)) return s;
        __builtin_memcpy(name.text, origin->name(), Task::kNameMax); // the span goes by its origin's name
        inv.flags |= kInvokeCarriesName;
        origin->add_ref(); // until the answer: then the span is attached to it
        self->span_pending = origin;
        break;
    }
    default: break; // kTaskInfo: nothing to add
    }
    if (!ok(s)) return s;
    const bool carries_cap = op == sys::kMap || op == sys::kCapGive || op == sys::kTaskWatch ||
                             op == sys::kTaskSetFaultHandler || op == sys::kTaskSpan;
    if (carries_cap) inv.flags |= kInvokeCarriesCap;
    Messenger& m = messenger();
    if (!m.send_value(owner, Msg::kInvoke, inv) ||
        ((inv.flags & kInvokeCarriesName) && !m.send_value(owner, Msg::kInvokeName, name)) ||
        (carries_cap && !m.send_value(owner, Msg::kInvokeCap, cap)))
        return Status::kNoMemory;
    self->invoke_dest = dest;
    self->state = Thread::State::kBlockedRemote;
    scheduler().block_current();
    return Status::kOk;
}

// The answer: the status, result words, and the object the call made
// (installed where the caller asked for it).
void on_invoke_reply(uint32_t from, const ChannelMessage& msg)
{
    InvokeReply r;
    __builtin_memcpy(&r, msg.payload, sizeof r);
    auto* t = reinterpret_cast<Thread*>(r.caller);
    const bool valid = t && t->state == Thread::State::kBlockedRemote;
    Status s = Status(r.status);
    KObject* made = nullptr;
    if (r.made.index != kNothingMade) {
        const bool frame = ObjectType(r.made.type) == ObjectType::kFrame;
        made = remote_cap_in(IpcCap{from, r.made_rights, r.made, 0, frame ? r.frame_phys : 0, frame ? r.w[0] : 0}, s);
    }
    if (!valid) {
        klog("remote: core %u answered a call nobody waits for", from);
        return remote_cap_unused(made);
    }
    if (Task* origin = t->span_pending) {
        // A span made: the origin copies its address space there before
        // the caller (or anyone) can start a thread in it.
        t->span_pending = nullptr;
        if (made && ok(s)) s = span_attach(*origin, from, SpanKey{uint32_t(r.w[0]), uint16_t(r.w[1]), 0});
        if (made && !ok(s)) {
            remote_cap_unused(made); // the span goes, never having run
            made = nullptr;
        }
        release_object(origin);
    }
    if (made) {
        s = t->task->caps().install(t->invoke_dest, made, r.made_rights, 0);
        if (!ok(s)) remote_cap_unused(made); // the owner hears we hold none: the object goes
    }
    t->frame.rax = uint64_t(s);
    if (ok(s)) {
        t->frame.rdx = r.w[0];
        t->frame.r10 = r.w[1];
        t->frame.r8 = r.w[2];
    }
    scheduler().make_ready(t);
}

// ---- the owner's side ----

// A call arriving from one core: its header, then its name and capability
// as its flags say (a kernel writes them back to back).
struct Pending {
    Invoke inv;
    InvokeName name;
    bool active;
};
Pending g_pending[kMaxCores]; // per core, like every kernel global

// Sets `task`'s fault handler or exit watcher to `obj` (a reference each).
void hold(KObject*& field, KObject* obj)
{
    obj->add_ref();
    if (field) release_object(field);
    field = obj;
}

Status perform(const Pending& p, Task& task, const IpcCap* cap, KObject* arg, KObject*& made, InvokeReply& r)
{
    const Invoke& inv = p.inv;
    if (inv.op == sys::kTaskInfo) {
        r.w[0] = task.live_threads;
        r.w[1] = uint64_t(task.exit_code);
        r.w[2] = !task.dead() ? sys::kTaskRunning : task.killed ? sys::kTaskKilled : sys::kTaskExited;
        return Status::kOk;
    }
    if (!(inv.rights & rights::kCreate)) return Status::kNoRights;
    if (task.dead()) {
        if (inv.op == sys::kTaskWatch && named_type(*arg) == ObjectType::kNotification) {
            // Already over: the watcher hears at once.
            if (arg->type() == ObjectType::kNotification) static_cast<Notification*>(arg)->signal(inv.a[0]);
            else return remote_signal(*static_cast<RemoteRef*>(arg), inv.a[0]);
            return Status::kOk;
        }
        return Status::kDead;
    }
    Status s = Status::kOk;
    const uint32_t kObjectRights = rights::kSend | rights::kReceive | rights::kGrant;
    switch (inv.op) {
    case sys::kEndpointCreate:
        made = Endpoint::create(task.quota(), s);
        r.made_rights = kObjectRights;
        return s;
    case sys::kNotificationCreate:
        made = Notification::create(task.quota(), s);
        r.made_rights = kObjectRights;
        return s;
    case sys::kFrameCreate: {
        Frame* f = Frame::create(task.quota(), inv.a[0], s);
        if (!f) return s;
        made = f;
        r.made_rights = rights::kRead | rights::kWrite | rights::kExecute | rights::kGrant;
        r.frame_phys = f->phys();
        r.w[0] = f->bytes();
        return Status::kOk;
    }
    case sys::kTaskCreate: {
        Task* t = nullptr;
        s = make_task(task.quota(), p.name.text, inv.a[1], inv.a[0], t);
        made = t;
        r.made_rights = rights::kAll;
        return s;
    }
    case sys::kThreadCreate: {
        uint32_t id = 0;
        s = start_thread(task, inv.a[0], inv.a[1], inv.a[2], inv.priority, inv.a[3], id);
        r.w[0] = id;
        return s;
    }
    case sys::kMap: {
        // Memory of this core (the root task made it through our core
        // task) or of another (sigma0's, or a third core's).
        const MapFlags flags{.write = (inv.a[1] & 1) != 0, .execute = (inv.a[1] & 2) != 0};
        if (arg->type() == ObjectType::kFrame)
            return map_frame_held(*static_cast<Frame*>(arg), task, inv.a[0], inv.a[2], inv.a[3], flags);
        if (arg->type() != ObjectType::kRemoteRef) return Status::kWrongType;
        auto* ref = static_cast<RemoteRef*>(arg);
        if (!ref->frame_bytes) return Status::kWrongType;
        return map_remote_frame(nullptr, *ref, ref->frame_phys, ref->frame_bytes, task, inv.a[0], inv.a[2], inv.a[3],
                                flags);
    }
    case sys::kCapGive: return task.caps().install(inv.a[0], arg, cap->rights, cap->badge);
    case sys::kTaskWatch:
        if (named_type(*arg) != ObjectType::kNotification) return Status::kWrongType;
        hold(task.exit_watch, arg);
        task.exit_bits = inv.a[0];
        return Status::kOk;
    case sys::kTaskSetFaultHandler:
        if (named_type(*arg) != ObjectType::kEndpoint) return Status::kWrongType;
        hold(task.fault_endpoint, arg);
        task.fault_badge = cap->badge;
        return Status::kOk;
    case sys::kTaskSpan: {
        // The origin is the caller's core's task (a RemoteRef here); the
        // span is paid from `task`, this core's.
        if (arg->type() != ObjectType::kRemoteRef || named_type(*arg) != ObjectType::kTask)
            return Status::kInvalidArgument;
        Task* span = nullptr;
        s = make_task(task.quota(), p.name.text, __builtin_strlen(p.name.text), inv.a[0], span);
        if (!ok(s)) return s;
        SpanKey key{};
        s = span_make(*span, *arg, key);
        made = span; // on failure the caller's side lets it go
        r.made_rights = rights::kAll;
        r.w[0] = key.index;
        r.w[1] = key.generation;
        return s;
    }
    default: return Status::kNoSuchCall;
    }
}

void execute(uint32_t from, Pending& p, const IpcCap* cap, Status s = Status::kOk)
{
    p.active = false;
    InvokeReply r{p.inv.caller, 0, 0, ExportToken{kNothingMade, 0, 0}, {}, 0};
    KObject* arg = cap && ok(s) ? remote_cap_in(*cap, s) : nullptr;
    KObject* target = exports().find(p.inv.target.index, p.inv.target.generation);
    if (ok(s) && (!target || target->type() != ObjectType::kTask)) s = Status::kDead;
    KObject* made = nullptr;
    if (ok(s)) s = perform(p, *static_cast<Task*>(target), cap, arg, made, r);
    if (made && (!ok(s) || !exports().add_holder(*made, from, r.made))) {
        made->add_ref(); // nobody names it: this lets it go (a task that never ran exits)
        release_object(made);
        r.made = ExportToken{kNothingMade, 0, 0};
        if (ok(s)) s = Status::kNoMemory;
    }
    remote_cap_unused(arg);
    r.status = int32_t(s);
    if (!messenger().send_value(from, Msg::kInvokeReply, r)) klog("remote: cannot answer core %u", from);
}

void on_invoke(uint32_t from, const ChannelMessage& msg)
{
    Pending& p = g_pending[from];
    __builtin_memcpy(&p.inv, msg.payload, sizeof p.inv);
    p.active = true;
    if (!(p.inv.flags & (kInvokeCarriesName | kInvokeCarriesCap))) execute(from, p, nullptr);
}

void on_invoke_name(uint32_t from, const ChannelMessage& msg)
{
    Pending& p = g_pending[from];
    __builtin_memcpy(&p.name, msg.payload, sizeof p.name);
    p.name.text[sizeof p.name.text - 1] = '\0';
    if (p.active && !(p.inv.flags & kInvokeCarriesCap)) execute(from, p, nullptr);
}

// An invoke whose capability a third core owns, waiting for that core's
// grant (percpu/transfer.hpp).
struct AwaitingGrant {
    Pending p;
    uint32_t from;
};

void granted(void* context, Status s, IpcCap& c)
{
    auto* w = static_cast<AwaitingGrant*>(context);
    execute(w->from, w->p, &c, s);
    w->~AwaitingGrant();
    this_core().heap.free(w);
}

void on_invoke_cap(uint32_t from, const ChannelMessage& msg)
{
    IpcCap c;
    __builtin_memcpy(&c, msg.payload, sizeof c);
    Pending& p = g_pending[from];
    if (!p.active) return drop_arrived_cap(c, from); // nothing to go with
    if (!owned_by_third_core(c, from)) return execute(from, p, &c);
    void* mem = this_core().heap.alloc(sizeof(AwaitingGrant));
    if (!mem) return execute(from, p, nullptr, Status::kNoMemory);
    auto* w = new (mem) AwaitingGrant{p, from};
    p.active = false; // the next invoke from that core may come
    transfer_request(c, granted, w);
}

} // namespace

void remote_invoke_init()
{
    Messenger& m = messenger();
    m.set_handler(Msg::kInvoke, on_invoke);
    m.set_handler(Msg::kInvokeName, on_invoke_name);
    m.set_handler(Msg::kInvokeCap, on_invoke_cap);
    m.set_handler(Msg::kInvokeReply, on_invoke_reply);
}

bool invoke_if_remote(Thread* self, InterruptFrame& f)
{
    const uint64_t slot = f.rax == sys::kCapGive ? f.rsi : f.rdi;
    if (slot >= CapSpace::kSlots) return false;
    const Capability& cap = self->task->caps().at(slot);
    if (!cap.object || cap.object->type() != ObjectType::kRemoteRef) return false;
    const auto* ref = static_cast<const RemoteRef*>(cap.object);
    if (ref->remote_type() != ObjectType::kTask) return false; // the local call reports the wrong type
    const uint32_t needed = f.rax == sys::kTaskInfo ? 0 : rights::kCreate;
    Status s = (cap.rights & needed) != needed ? Status::kNoRights
               : ref->revoked                  ? Status::kDead
                                               : send_invoke(self, f, *ref, cap.rights);
    if (!ok(s)) f.rax = uint64_t(s);
    return true;
}

} // namespace atoll_os
