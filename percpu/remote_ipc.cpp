// Cross-core IPC: the caller's side, the owner's proxies, and the messages.
#include "percpu/remote_ipc.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/abi/utcb.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/log.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/exports.hpp"
#include "percpu/messenger.hpp"
#include "percpu/topology.hpp"
#include "percpu/transfer.hpp"

namespace atoll_os {
namespace {

constexpr unsigned kWordsPerFragment = 6;
// Kernel memory for proxies (a UTCB page and an FPU area each, about 8 KiB):
// enough for ~100 callers waiting at once, and small enough for the boot
// core of a 64-core machine, whose partition is a 64th of the memory.
constexpr uint64_t kProxyQuota = 1ull << 20;

// A long message arriving from one core, fragment by fragment. A kernel
// writes one message's fragments back to back, so per source core at most
// one is in progress. A null target swallows the fragments of a message
// that has nowhere to go.
struct Assembly {
    Thread* target;
    bool reply;
    uint8_t next, words;
    uint32_t endpoint_index;
    uint16_t endpoint_generation;
    uint8_t flags;
    uint64_t badge;
};

// Per core, like every kernel global.
Assembly g_assembly[kMaxCores];
Task* g_proxy_task;      // owns the proxies' UTCB pages
Thread* g_free_proxies;  // linked through queue_next
uint32_t g_busy_proxies;

// A capability that arrived for a call and went unused: if another core
// owns its object, that core must hear that we hold no copy after all (a
// RemoteRef nobody names sends HolderRelease as it goes).
void release_unused_cap(Thread* proxy)
{
    if (!proxy->carries_cap) return;
    proxy->carries_cap = false;
    Status s;
    remote_cap_unused(remote_cap_in(proxy->cap, s));
}

unsigned clamp_words(uint64_t words) { return words < 4 ? 4 : words > Utcb::kWords ? Utcb::kWords : unsigned(words); }

bool send_fragments(uint32_t dest, const Utcb& utcb, unsigned words)
{
    for (unsigned i = 4; i < words; i += kWordsPerFragment) {
        IpcWords f{};
        for (unsigned k = 0; k < kWordsPerFragment && i + k < words; ++k) f.w[k] = utcb.mr[i + k];
        if (!messenger().send_value(dest, Msg::kIpcWords, f)) return false;
    }
    return true;
}

Thread* take_proxy()
{
    Thread* t = g_free_proxies;
    if (t) {
        g_free_proxies = t->queue_next;
        t->queue_next = nullptr;
    } else {
        Status s;
        if (!g_proxy_task) g_proxy_task = Task::create(this_core().boot_quota, "remote", kProxyQuota, s);
        t = g_proxy_task ? Thread::create(*g_proxy_task, 0, 0, 1, "proxy", s) : nullptr;
        if (!t) return nullptr;
        t->proxy = true;
    }
    ++g_busy_proxies;
    return t;
}

void answer(uint32_t dest, uint64_t caller, Status status)
{
    RemoteReply r{caller, int32_t(status), 4, 0, {}, {}};
    if (!messenger().send_value(dest, Msg::kIpcReply, r)) klog("remote: cannot answer core %u", dest);
}

// The call fails as a whole; its caller hears `s`.
void fail_call(Thread* proxy, Status s)
{
    proxy->frame.rax = uint64_t(s);
    proxy->origin_waits = false;
    remote_proxy_done(proxy);
}

// A whole call is in the proxy: find the endpoint and meet a receiver.
void arrived(Assembly& a)
{
    Thread* proxy = a.target;
    KObject* o = exports().find(a.endpoint_index, a.endpoint_generation);
    if (!o || o->type() != ObjectType::kEndpoint) return fail_call(proxy, Status::kDead); // the endpoint is gone
    ipc_remote_arrived(proxy, static_cast<Endpoint*>(o), a.badge, a.flags & kRemoteCallWaits,
                       a.flags & kRemoteNonBlocking);
}

void on_ipc_call(uint32_t from, const ChannelMessage& msg)
{
    RemoteCall c;
    __builtin_memcpy(&c, msg.payload, sizeof c);
    Assembly& a = g_assembly[from];
    a = Assembly{nullptr, false, 4, uint8_t(clamp_words(c.words)), c.endpoint_index, c.endpoint_generation, c.flags,
                 c.badge};
    Thread* proxy = take_proxy();
    if (!proxy) {
        answer(from, c.caller, Status::kNoMemory);
        return;
    }
    proxy->origin_core = from;
    proxy->origin_caller = c.caller;
    proxy->frame.rdx = c.w[0];
    proxy->frame.r10 = c.w[1];
    proxy->frame.r8 = c.w[2];
    proxy->frame.r9 = c.w[3];
    proxy->frame.rsi = ipcflags::with_length(a.words); // what deliver() reads of a sender's flags
    if (c.flags & kRemoteFault) { // a page fault of the caller, for a pager here
        proxy->fault_pending = true;
        proxy->fault_address = c.w[0];
        proxy->fault_ip = c.w[1];
        proxy->fault_code = c.w[2];
    }
    a.target = proxy;
    if (a.words <= 4 && !(a.flags & kRemoteCarriesCap)) arrived(a);
}

void on_ipc_words(uint32_t from, const ChannelMessage& msg)
{
    IpcWords f;
    __builtin_memcpy(&f, msg.payload, sizeof f);
    Assembly& a = g_assembly[from];
    for (unsigned k = 0; k < kWordsPerFragment && a.next < a.words; ++k, ++a.next)
        if (a.target) a.target->utcb().mr[a.next] = f.w[k];
    if (a.next < a.words || !a.target || (a.flags & kRemoteCarriesCap)) return; // else the capability comes next
    if (a.reply) scheduler().make_ready(a.target);
    else arrived(a);
}

// The reply to a call of ours passed a capability: into the caller's
// receive slot, as a same-core reply would put it.
void install_reply_cap(Thread* t, Status s, const IpcCap& c)
{
    KObject* obj = ok(s) ? remote_cap_in(c, s) : nullptr;
    if (obj) {
        s = t->task->caps().install(t->utcb().receive_slot, obj, c.rights, c.badge);
        if (!ok(s)) remote_cap_unused(obj);
    }
    t->utcb().transfer_status = int64_t(s);
    if (ok(s)) t->frame.rdi |= ipcflags::kTransferCap;
    scheduler().make_ready(t); // the reply itself stands, whatever became of the capability
}

void reply_cap_granted(void* thread, Status s, IpcCap& c) { install_reply_cap(static_cast<Thread*>(thread), s, c); }

void reply_cap_arrived(uint32_t from, Thread* t, const IpcCap& c)
{
    if (!t) return drop_arrived_cap(c, from);
    // One a third core owns: that core grants it first (the caller waits).
    if (owned_by_third_core(c, from)) return transfer_request(c, reply_cap_granted, t);
    install_reply_cap(t, Status::kOk, c);
}

void carry(Thread* proxy, const IpcCap& c)
{
    proxy->carries_cap = true;
    proxy->cap = c;
    proxy->frame.rsi |= ipcflags::kTransferCap;
}

// A call whose capability a third core owns, waiting for that core's grant
// (percpu/transfer.hpp) before it goes on to the endpoint.
void call_granted(void* context, Status s, IpcCap& c)
{
    auto* a = static_cast<Assembly*>(context);
    Thread* proxy = a->target;
    if (ok(s)) {
        carry(proxy, c);
        arrived(*a);
    } else {
        fail_call(proxy, s); // gone or revoked meanwhile
    }
    a->~Assembly();
    this_core().heap.free(a);
}

void on_ipc_cap(uint32_t from, const ChannelMessage& msg)
{
    IpcCap c;
    __builtin_memcpy(&c, msg.payload, sizeof c);
    Assembly& a = g_assembly[from];
    if (a.reply) return reply_cap_arrived(from, a.target, c);
    Thread* proxy = a.target;
    if (!proxy) return drop_arrived_cap(c, from); // the call found no proxy: nobody here holds it
    if (!owned_by_third_core(c, from)) {
        carry(proxy, c);
        return arrived(a);
    }
    void* mem = this_core().heap.alloc(sizeof(Assembly));
    if (!mem) return fail_call(proxy, Status::kNoMemory);
    transfer_request(c, call_granted, new (mem) Assembly(a));
}

// A thread of ours faulted and its pager on another core decided: resume
// it (at the same or a new ip) or end it, as on one core (ipc.cpp).
void fault_answered(Thread* t, Status status, uint64_t decision, uint64_t new_ip)
{
    t->fault_pending = false;
    if (!ok(status) || decision != sys::kFaultResume) {
        scheduler().kill_blocked(t, ok(status)                  ? "its fault handler said so"
                                    : status == Status::kDead ? "its fault handler is gone"
                                                              : "its fault could not reach its handler's core");
        return;
    }
    if (new_ip) {
        if (new_ip >= sys::kUserLimit) {
            scheduler().kill_blocked(t, "its fault handler gave a resume address outside user space");
            return;
        }
        t->frame.rip = new_ip;
    }
    scheduler().make_ready(t);
}

void on_ipc_reply(uint32_t from, const ChannelMessage& msg)
{
    RemoteReply r;
    __builtin_memcpy(&r, msg.payload, sizeof r);
    auto* t = reinterpret_cast<Thread*>(r.caller);
    const unsigned words = clamp_words(r.words);
    // The caller cannot have gone while blocked; anything else is a
    // kernel bug worth a line, not a crash.
    bool valid = t && t->state == Thread::State::kBlockedRemote;
    if (!valid) klog("remote: core %u answered a thread that is not waiting for it", from);
    g_assembly[from] = Assembly{valid ? t : nullptr, true, 4, uint8_t(words), 0, 0, r.flags, 0};
    if (!valid) return;
    if (t->fault_pending) return fault_answered(t, Status(r.status), r.w[0], r.w[1]);
    t->frame.rax = uint64_t(int64_t(r.status));
    if (Status(r.status) == Status::kOk) {
        t->frame.rdx = r.w[0];
        t->frame.r10 = r.w[1];
        t->frame.r8 = r.w[2];
        t->frame.r9 = r.w[3];
        t->frame.rdi = ipcflags::with_length(words);
        t->frame.rsi = 0; // replies carry no badge
    }
    if (words <= 4 && !(r.flags & kRemoteCarriesCap)) scheduler().make_ready(t);
}

Thread* g_revokers; // this core's threads waiting for holders' RevokeAcks

// Every holder confirmed: the revoke returns, and so does every later
// revoke of the object that found it under way.
void revoke_done(Thread* t)
{
    for (Thread** link = &g_revokers; *link; link = &(*link)->next_revoker)
        if (*link == t) {
            *link = t->next_revoker;
            break;
        }
    t->next_revoker = nullptr;
    t->revoking = nullptr;
    Thread* joiners = t->revoke_joiners;
    t->revoke_joiners = nullptr;
    t->frame.rax = uint64_t(Status::kOk);
    scheduler().make_ready(t);
    while (Thread* j = joiners) {
        joiners = j->next_joiner;
        j->next_joiner = nullptr;
        j->frame.rax = uint64_t(Status::kOk);
        scheduler().make_ready(j);
    }
}

// A holder core: the owner revoked; our copies are void from now on.
void on_revoke_request(uint32_t from, const ChannelMessage& msg)
{
    RevokeRequest r;
    __builtin_memcpy(&r, msg.payload, sizeof r);
    if (RemoteRef* ref = RemoteRef::find(from, r.object)) {
        ref->revoked = true;
        unmap_remote(*ref); // its memory, if it is a frame, is out of reach before we acknowledge
    }
    if (!messenger().send_value(from, Msg::kRevokeAck, RevokeAck{r.revoker}))
        klog("remote: cannot acknowledge core %u's revoke", from);
}

void on_revoke_ack(uint32_t from, const ChannelMessage& msg)
{
    RevokeAck a;
    __builtin_memcpy(&a, msg.payload, sizeof a);
    auto* t = reinterpret_cast<Thread*>(a.revoker);
    if (!t || t->state != Thread::State::kBlockedRemote || t->revoke_acks == 0) {
        klog("remote: core %u acknowledged a revoke nobody waits for", from);
        return;
    }
    if (--t->revoke_acks == 0) revoke_done(t);
}

void on_signal_remote(uint32_t, const ChannelMessage& msg)
{
    RemoteSignal s;
    __builtin_memcpy(&s, msg.payload, sizeof s);
    KObject* o = exports().find(s.notification.index, s.notification.generation);
    if (o && o->type() == ObjectType::kNotification) static_cast<Notification*>(o)->signal(s.bits);
}

void on_holder_release(uint32_t from, const ChannelMessage& msg)
{
    HolderRelease h;
    __builtin_memcpy(&h, msg.payload, sizeof h);
    exports().release_holder(h.object, from, h.installed);
}

} // namespace

void remote_ipc_init()
{
    Messenger& m = messenger();
    m.set_handler(Msg::kIpcCall, on_ipc_call);
    m.set_handler(Msg::kIpcWords, on_ipc_words);
    m.set_handler(Msg::kIpcReply, on_ipc_reply);
    m.set_handler(Msg::kIpcCap, on_ipc_cap);
    m.set_handler(Msg::kRevokeRequest, on_revoke_request);
    m.set_handler(Msg::kRevokeAck, on_revoke_ack);
    m.set_handler(Msg::kSignalRemote, on_signal_remote);
    m.set_handler(Msg::kHolderRelease, on_holder_release);
}

namespace {

// The capability a cross-core call passes, as the receiving core will find
// it: an object of ours is exported to that core first; one that core
// owns travels as its own token. (One a third core owns would need that
// core's consent: the transfer protocol, not yet.)
Status outgoing_cap(Thread* self, const RemoteRef& ref, IpcCap& out)
{
    const Utcb& u = self->utcb();
    CapSpace& caps = self->task->caps();
    if (u.transfer_slot >= CapSpace::kSlots || !caps.at(u.transfer_slot).object) return Status::kInvalidCapability;
    return remote_cap_out(caps.at(u.transfer_slot), uint32_t(u.transfer_rights), ref.owner(), out);
}

} // namespace

Status remote_cap_out(const Capability& cap, uint32_t rights_mask, uint32_t dest, IpcCap& out)
{
    out.rights = cap.rights & rights_mask;
    out.badge = cap.badge;
    if (cap.object->type() == ObjectType::kRemoteRef) {
        const auto* r = static_cast<const RemoteRef*>(cap.object);
        if (r->revoked) return Status::kDead;
        out.owner = r->owner();
        out.object = r->token();
        out.frame_phys = r->frame_phys;
        out.frame_bytes = r->frame_bytes;
        return Status::kOk;
    }
    if (cap.object->type() == ObjectType::kFrame) {
        const auto* f = static_cast<const Frame*>(cap.object);
        out.frame_phys = f->phys();
        out.frame_bytes = f->bytes();
    }
    out.owner = this_core().core;
    return exports().add_holder(*cap.object, dest, out.object) ? Status::kOk : Status::kNoMemory;
}

KObject* remote_cap_in(const IpcCap& c, Status& status)
{
    status = Status::kOk;
    KObject* obj = c.owner == this_core().core
                       ? exports().find(c.object.index, c.object.generation) // one of ours, coming home
                       : RemoteRef::import(this_core().boot_quota, c.owner, c.object, status);
    if (!obj) {
        if (ok(status)) status = Status::kDead;
        return nullptr;
    }
    if (obj->type() == ObjectType::kRemoteRef && c.frame_bytes) {
        auto* r = static_cast<RemoteRef*>(obj);
        r->frame_phys = c.frame_phys;
        r->frame_bytes = c.frame_bytes;
    }
    return obj;
}

void remote_cap_unused(KObject* obj)
{
    if (obj && obj->type() == ObjectType::kRemoteRef && obj->refs() == 0) static_cast<RemoteRef*>(obj)->destroy();
}

Status remote_ipc(Thread* self, const RemoteRef& ref, uint64_t badge, uint64_t flags, bool waits)
{
    if (ref.revoked) return Status::kDead; // the owner revoked every copy
    const unsigned words = clamp_words(ipcflags::length(flags));
    IpcCap cap{};
    const bool carries = flags & ipcflags::kTransferCap;
    if (carries) {
        Status s = outgoing_cap(self, ref, cap);
        if (!ok(s)) return s;
    }
    RemoteCall c{ref.token().index,
                 ref.token().generation,
                 uint8_t(words),
                 uint8_t((waits ? kRemoteCallWaits : 0) | (flags & ipcflags::kNonBlocking ? kRemoteNonBlocking : 0) |
                         (carries ? kRemoteCarriesCap : 0)),
                 badge,
                 reinterpret_cast<uint64_t>(self),
                 {self->frame.rdx, self->frame.r10, self->frame.r8, self->frame.r9}};
    if (!messenger().send_value(ref.owner(), Msg::kIpcCall, c)) return Status::kNoMemory;
    if (words > 4 && !send_fragments(ref.owner(), self->utcb(), words)) return Status::kNoMemory;
    if (carries && !messenger().send_value(ref.owner(), Msg::kIpcCap, cap)) return Status::kNoMemory;
    self->state = Thread::State::kBlockedRemote;
    scheduler().block_current();
    return Status::kOk;
}

Status remote_fault(Thread* self, const RemoteRef& ref, uint64_t badge)
{
    if (ref.revoked) return Status::kDead;
    RemoteCall c{ref.token().index, ref.token().generation, 4, uint8_t(kRemoteCallWaits | kRemoteFault), badge,
                 reinterpret_cast<uint64_t>(self), {self->fault_address, self->fault_ip, self->fault_code, self->id}};
    if (!messenger().send_value(ref.owner(), Msg::kIpcCall, c)) return Status::kNoMemory;
    self->state = Thread::State::kBlockedRemote;
    scheduler().block_current();
    return Status::kOk;
}

Status remote_signal(const RemoteRef& ref, uint64_t bits)
{
    if (ref.revoked) return Status::kDead;
    RemoteSignal s{ref.token(), bits};
    return messenger().send_value(ref.owner(), Msg::kSignalRemote, s) ? Status::kOk : Status::kNoMemory;
}

Status remote_cap_install(Thread& proxy, Thread& to, uint64_t slot)
{
    if (!proxy.carries_cap) return Status::kInvalidArgument;
    proxy.carries_cap = false; // taken, whatever happens below
    Status s;
    KObject* obj = remote_cap_in(proxy.cap, s);
    if (!obj) return s;
    s = to.task->caps().install(slot, obj, proxy.cap.rights, proxy.cap.badge);
    if (!ok(s)) remote_cap_unused(obj);
    return s;
}

Status remote_cap_reply(Thread& from, Thread& proxy)
{
    release_unused_cap(&proxy); // the call's own capability, if nobody took it
    const Utcb& u = from.utcb();
    CapSpace& caps = from.task->caps();
    if (u.transfer_slot >= CapSpace::kSlots || !caps.at(u.transfer_slot).object) return Status::kInvalidCapability;
    proxy.cap = IpcCap{};
    Status s = remote_cap_out(caps.at(u.transfer_slot), uint32_t(u.transfer_rights), proxy.origin_core, proxy.cap);
    proxy.reply_cap = ok(s);
    return s;
}

void remote_proxy_done(Thread* proxy)
{
    release_unused_cap(proxy);
    const Status status = Status(proxy->frame.rax);
    const unsigned words = ok(status) && proxy->origin_waits ? clamp_words(ipcflags::length(proxy->frame.rdi)) : 4;
    const bool cap = proxy->reply_cap && ok(status) && proxy->origin_waits;
    RemoteReply r{proxy->origin_caller, int32_t(status), uint8_t(words), uint8_t(cap ? kRemoteCarriesCap : 0), {},
                  {proxy->frame.rdx, proxy->frame.r10, proxy->frame.r8, proxy->frame.r9}};
    const IpcCap& c = proxy->cap;
    // Exported for an answer that carries none: the caller's core takes no copy.
    if (proxy->reply_cap && !cap && c.owner == this_core().core)
        exports().release_holder(c.object, proxy->origin_core, 1);
    proxy->reply_cap = false;
    if (!messenger().send_value(proxy->origin_core, Msg::kIpcReply, r) ||
        (words > 4 && !send_fragments(proxy->origin_core, proxy->utcb(), words)) ||
        (cap && !messenger().send_value(proxy->origin_core, Msg::kIpcCap, c)))
        klog("remote: cannot answer core %u", proxy->origin_core);
    proxy->state = Thread::State::kBlockedRemote; // idle, in the pool
    proxy->reply_to = proxy->awaiting_reply_from = nullptr;
    proxy->blocked_on = nullptr;
    proxy->sending_call = proxy->origin_waits = proxy->fault_pending = false;
    proxy->queue_next = g_free_proxies;
    g_free_proxies = proxy;
    --g_busy_proxies;
}

bool remote_revoke(Thread* self, KObject& obj)
{
    uint64_t holders[4];
    ExportToken token;
    if (!exports().revoke_all(obj, holders, token)) {
        // Not exported (any more): a revoke of it may still wait for its
        // holders. This one must not return before that one does, or a
        // holder could still reach the memory after it returned.
        for (Thread* first = g_revokers; first; first = first->next_revoker)
            if (first->revoking == &obj) {
                self->next_joiner = first->revoke_joiners;
                first->revoke_joiners = self;
                self->state = Thread::State::kBlockedRemote;
                scheduler().block_current();
                return true;
            }
        return false;
    }
    // Calls that came in through the void copies and still wait in the
    // endpoint's queue were in flight: they end with kDead, not later.
    if (obj.type() == ObjectType::kEndpoint) static_cast<Endpoint&>(obj).cancel_proxies();
    uint32_t asked = 0;
    for (uint32_t c = 0; c < kMaxCores; ++c) {
        if (!(holders[c / 64] >> (c % 64) & 1)) continue;
        if (messenger().send_value(c, Msg::kRevokeRequest, RevokeRequest{token, reinterpret_cast<uint64_t>(self)}))
            ++asked;
        else
            klog("remote: cannot reach core %u to revoke", c);
    }
    if (asked == 0) return false;
    self->revoke_acks = asked;
    self->revoking = &obj;
    self->next_revoker = g_revokers;
    g_revokers = self;
    self->state = Thread::State::kBlockedRemote;
    scheduler().block_current();
    return true;
}

bool remote_revoke_under_way() { return g_revokers != nullptr; }

bool remote_ipc_release()
{
    while (Thread* t = g_free_proxies) {
        g_free_proxies = t->queue_next;
        t->destroy();
    }
    if (g_busy_proxies != 0) return false;
    if (g_proxy_task) {
        g_proxy_task->exit(0); // no threads, no capabilities: frees itself
        g_proxy_task = nullptr;
    }
    return true;
}

} // namespace atoll_os
