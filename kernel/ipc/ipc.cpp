// Call, send, receive, reply: rendezvous through endpoints, direct switch.
#include "kernel/ipc/ipc.hpp"

#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/abi/utcb.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/reply.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/remote_ipc.hpp"

namespace atoll_os {
namespace {

void set_status(Thread* t, Status s) { t->frame.rax = uint64_t(s); }

// The first four words travel frame to frame; longer messages continue
// UTCB to UTCB; a capability named in the sender's UTCB is derived into the
// receiver's chosen slot. The receiver's rdi says what arrived.
void deliver(Thread* from, Thread* to, uint64_t badge, bool may_grant)
{
    const uint64_t flags = from->frame.rsi;
    to->frame.rdx = from->frame.rdx;
    to->frame.r10 = from->frame.r10;
    to->frame.r8 = from->frame.r8;
    to->frame.r9 = from->frame.r9;
    to->frame.rsi = badge;
    uint64_t words = ipcflags::length(flags);
    if (words < 4) words = 4;
    if (words > Utcb::kWords) words = Utcb::kWords;
    if (words > 4)
        __builtin_memcpy(&to->utcb().mr[4], &from->utcb().mr[4], (words - 4) * sizeof(uint64_t));
    uint64_t info = ipcflags::with_length(words);
    if (flags & ipcflags::kTransferCap) {
        const Utcb& fu = from->utcb();
        Utcb& tu = to->utcb();
        Status s = from->proxy ? remote_cap_install(*from, *to, tu.receive_slot) // it came from another core
                   : !may_grant ? Status::kNoRights
                   : to->proxy  ? remote_cap_reply(*from, *to) // a reply going to another core
                                : from->task->caps().derive_into(fu.transfer_slot, to->task->caps(), tu.receive_slot,
                                                                uint32_t(fu.transfer_rights));
        tu.transfer_status = int64_t(s);
        if (ok(s)) info |= ipcflags::kTransferCap;
    }
    to->frame.rdi = info;
    set_status(to, Status::kOk);
}

// A fault travels as a message built from the faulting thread's fault
// record, never from its registers (they must survive for a resume).
void deliver_fault(const Thread* from, Thread* to, uint64_t badge)
{
    to->frame.rdx = from->fault_address;
    to->frame.r10 = from->fault_ip;
    to->frame.r8 = from->fault_code;
    to->frame.r9 = from->id;
    to->frame.rsi = badge;
    to->frame.rdi = ipcflags::with_length(4) | sys::kFaultMessage;
    set_status(to, Status::kOk);
}

// Passing a capability needs the grant right on the endpoint capability used.
Status check_grant(const Thread* self, uint32_t rights_held)
{
    if ((self->frame.rsi & ipcflags::kTransferCap) && !(rights_held & rights::kGrant)) return Status::kNoRights;
    return Status::kOk;
}

void block_on(Thread* self, Endpoint* ep, Thread::State state)
{
    self->state = state;
    self->blocked_on = ep;
    if (state == Thread::State::kBlockedSend) ep->push_sender(self);
    else ep->push_receiver(self);
    scheduler().block_current();
}

// Takes a waiting sender's message; the caller of a call now owes it a reply.
void accept_sender(Thread* self, Thread* sender)
{
    if (sender->fault_pending) deliver_fault(sender, self, sender->send_badge);
    else deliver(sender, self, sender->send_badge, sender->send_may_grant);
    if (sender->sending_call) {
        self->reply_to = sender;
        sender->state = Thread::State::kBlockedReply;
        sender->awaiting_reply_from = self;
    } else {
        set_status(sender, Status::kOk);
        scheduler().make_ready(sender);
    }
}

// A pending signal on the receiver's bound notification ends its receive
// at once: badge kNotificationBadge, the bits in the first word.
bool take_bound_signal(Thread* self)
{
    Notification* n = self->bound_notification;
    if (!n || !n->pending()) return false;
    self->frame.rdx = n->take();
    self->frame.rsi = sys::kNotificationBadge;
    set_status(self, Status::kOk);
    return true;
}

// A reply to a fault decides the faulting thread's fate instead of
// carrying data: resume (at the same or a new ip) or die.
Thread* answer_fault(Thread* self, Thread* faulter)
{
    faulter->fault_pending = false;
    if (faulter->proxy) { // the faulting thread is on another core: the decision travels there
        faulter->frame.rdx = self->frame.rdx;
        faulter->frame.r10 = self->frame.r10;
        faulter->frame.rdi = ipcflags::with_length(4);
        set_status(faulter, Status::kOk);
        return faulter;
    }
    if (self->frame.rdx != sys::kFaultResume) {
        scheduler().kill_blocked(faulter, "its fault handler said so");
        return nullptr;
    }
    if (self->frame.r10) {
        if (self->frame.r10 >= sys::kUserLimit) {
            scheduler().kill_blocked(faulter, "its fault handler gave a resume address outside user space");
            return nullptr;
        }
        faulter->frame.rip = self->frame.r10;
    }
    return faulter;
}

// Answers the caller this thread owes a reply, if any; returns the thread
// to run (not yet runnable: whoever called this decides whether to switch
// to it or queue it). `answered` says whether there was a caller at all.
Thread* answer_caller(Thread* self, bool& answered)
{
    Thread* caller = self->reply_to;
    answered = caller != nullptr;
    if (!caller) return nullptr;
    self->reply_to = nullptr;
    caller->awaiting_reply_from = nullptr;
    if (caller->fault_pending) return answer_fault(self, caller);
    deliver(self, caller, 0, true); // a reply may pass a capability back
    return caller;
}

// The slot names an endpoint another core owns: the request travels there.
[[gnu::noinline]] bool try_remote(Thread* self, uint64_t slot, uint64_t flags, bool waits)
{
    RemoteRef* ref;
    uint64_t badge;
    uint32_t held;
    Status s = self->task->caps().lookup(slot, rights::kSend, ref, &badge, &held);
    if (!ok(s) || ref->remote_type() != ObjectType::kEndpoint) return false;
    s = check_grant(self, held);
    if (ok(s)) s = remote_ipc(self, *ref, badge, flags, waits);
    if (!ok(s)) set_status(self, s);
    return true;
}

} // namespace

void ipc_call(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    uint64_t badge;
    uint32_t held;
    Status s = self->task->caps().lookup(slot, rights::kSend, ep, &badge, &held);
    if (s == Status::kWrongType && try_remote(self, slot, flags, true)) return;
    if (ok(s)) s = check_grant(self, held);
    if (!ok(s)) return set_status(self, s);
    if (Thread* receiver = ep->pop_receiver()) {
        deliver(self, receiver, badge, true);
        receiver->reply_to = self;
        self->state = Thread::State::kBlockedReply;
        self->awaiting_reply_from = receiver;
        scheduler().block_current();
        scheduler().hand_over(receiver); // the fast path: straight to the server
    }
    if (flags & ipcflags::kNonBlocking) return set_status(self, Status::kWouldBlock);
    self->sending_call = true;
    self->send_badge = badge;
    self->send_may_grant = true; // checked above
    block_on(self, ep, Thread::State::kBlockedSend);
}

void ipc_send(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    uint64_t badge;
    uint32_t held;
    Status s = self->task->caps().lookup(slot, rights::kSend, ep, &badge, &held);
    if (s == Status::kWrongType && try_remote(self, slot, flags, false)) return;
    if (ok(s)) s = check_grant(self, held);
    if (!ok(s)) return set_status(self, s);
    if (Thread* receiver = ep->pop_receiver()) {
        deliver(self, receiver, badge, true);
        receiver->reply_to = nullptr;
        set_status(self, Status::kOk);
        scheduler().make_ready(receiver); // preempts us if it matters more
        return;
    }
    if (flags & ipcflags::kNonBlocking) return set_status(self, Status::kWouldBlock);
    self->sending_call = false;
    self->send_badge = badge;
    self->send_may_grant = true; // checked above
    block_on(self, ep, Thread::State::kBlockedSend);
}

void ipc_receive(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    Status s = self->task->caps().lookup(slot, rights::kReceive, ep);
    if (!ok(s)) return set_status(self, s);
    if (take_bound_signal(self)) return;
    if (Thread* sender = ep->pop_sender()) return accept_sender(self, sender);
    if (flags & ipcflags::kNonBlocking) return set_status(self, Status::kWouldBlock);
    block_on(self, ep, Thread::State::kBlockedReceive);
}

void ipc_reply(Thread* self)
{
    bool answered;
    Thread* caller = answer_caller(self, answered);
    set_status(self, answered ? Status::kOk : Status::kInvalidArgument); // kInvalidArgument: nobody to answer
    if (caller) scheduler().make_ready(caller);
}

void ipc_reply_receive(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    Status s = self->task->caps().lookup(slot, rights::kReceive, ep);
    if (!ok(s)) return set_status(self, s); // the reply is kept for a corrected retry
    bool answered;
    Thread* caller = answer_caller(self, answered);
    if (take_bound_signal(self)) {
        if (caller) scheduler().make_ready(caller);
        return;
    }
    if (Thread* sender = ep->pop_sender()) {
        if (caller) scheduler().make_ready(caller);
        return accept_sender(self, sender);
    }
    if (flags & ipcflags::kNonBlocking) {
        if (caller) scheduler().make_ready(caller);
        return set_status(self, Status::kWouldBlock);
    }
    block_on(self, ep, Thread::State::kBlockedReceive);
    if (!caller) return;
    if (caller->proxy) [[unlikely]]
        return scheduler().make_ready(caller); // the answer goes to its core
    scheduler().hand_over(caller); // the server loop's fast path: back to the client
}

bool ipc_send_fault(Thread* self, uint64_t vector, uint64_t error, uint64_t address)
{
    KObject* handler = self->task->fault_endpoint;
    if (!handler || self->fault_pending) return false; // no handler, or the handler path itself faulted
    self->fault_pending = true;
    self->fault_address = address;
    self->fault_ip = self->frame.rip;
    self->fault_code = vector | (error << 8);
    if (handler->type() == ObjectType::kRemoteRef) { // a pager on another core
        Status s = remote_fault(self, *static_cast<RemoteRef*>(handler), self->task->fault_badge);
        if (!ok(s)) self->fault_pending = false;
        return ok(s);
    }
    auto* ep = static_cast<Endpoint*>(handler);
    if (Thread* receiver = ep->pop_receiver()) {
        deliver_fault(self, receiver, self->task->fault_badge);
        receiver->reply_to = self;
        self->state = Thread::State::kBlockedReply;
        self->awaiting_reply_from = receiver;
        scheduler().block_current();
        scheduler().hand_over(receiver);
    }
    self->sending_call = true;
    self->send_badge = self->task->fault_badge;
    self->send_may_grant = false;
    block_on(self, ep, Thread::State::kBlockedSend);
    return true;
}

Status ipc_save_reply(Thread* self, Reply* reply)
{
    Thread* caller = self->reply_to;
    if (!caller) return Status::kInvalidArgument; // nothing to save
    self->reply_to = nullptr;
    caller->awaiting_reply_from = nullptr;
    caller->saved_reply = reply;
    reply->caller = caller;
    return Status::kOk;
}

void ipc_reply_with(Thread* self, uint64_t slot)
{
    Reply* reply;
    Status s = self->task->caps().lookup(slot, rights::kSend, reply);
    if (!ok(s)) return set_status(self, s);
    Thread* caller = reply->caller;
    if (!caller) return set_status(self, Status::kInvalidArgument); // already used
    reply->caller = nullptr;
    caller->saved_reply = nullptr;
    set_status(self, Status::kOk);
    if (caller->fault_pending) { // a pager answering later: the decision, not data
        if (Thread* resumed = answer_fault(self, caller)) scheduler().make_ready(resumed);
        return;
    }
    deliver(self, caller, 0, true);
    scheduler().make_ready(caller);
}

void ipc_abandon_reply(Thread* self)
{
    if (Thread* caller = self->reply_to) {
        self->reply_to = nullptr;
        caller->awaiting_reply_from = nullptr;
        ipc_no_answer(caller);
    }
}

void ipc_no_answer(Thread* caller)
{
    if (caller->fault_pending && !caller->proxy) {
        // Resuming would only fault again, with a status in rax it never asked for.
        caller->fault_pending = false;
        return scheduler().kill_blocked(caller, "its fault handler is gone");
    }
    set_status(caller, Status::kDead); // a proxy's caller hears it and, for a fault, dies there
    scheduler().make_ready(caller);
}

} // namespace atoll_os

namespace atoll_os {

void ipc_remote_arrived(Thread* proxy, Endpoint* ep, uint64_t badge, bool waits, bool nonblocking)
{
    proxy->origin_waits = waits;
    if (Thread* receiver = ep->pop_receiver()) {
        if (proxy->fault_pending) deliver_fault(proxy, receiver, badge);
        else deliver(proxy, receiver, badge, false);
        if (waits) {
            receiver->reply_to = proxy;
            proxy->state = Thread::State::kBlockedReply;
            proxy->awaiting_reply_from = receiver;
        } else {
            receiver->reply_to = nullptr;
            set_status(proxy, Status::kOk);
            scheduler().make_ready(proxy); // delivered: the sender may go on
        }
        scheduler().make_ready(receiver);
        return;
    }
    if (nonblocking) {
        set_status(proxy, Status::kWouldBlock);
        scheduler().make_ready(proxy);
        return;
    }
    proxy->sending_call = waits;
    proxy->send_badge = badge;
    proxy->send_may_grant = false;
    proxy->state = Thread::State::kBlockedSend;
    proxy->blocked_on = ep;
    ep->push_sender(proxy);
}

} // namespace atoll_os
