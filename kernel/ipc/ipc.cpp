// Call, send, receive, reply: rendezvous through endpoints, direct switch.
#include "kernel/ipc/ipc.hpp"

#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/abi/utcb.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"

namespace atoll_os {
namespace {

void set_status(Thread* t, Status s) { t->frame.rax = uint64_t(s); }

// The first four words travel frame to frame; longer messages continue
// UTCB to UTCB; a capability named in the sender's UTCB is derived into the
// receiver's chosen slot. The receiver's rdi says what arrived.
void deliver(const Thread* from, Thread* to, uint64_t badge, bool may_grant)
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
        Status s = may_grant ? from->task->caps().derive_into(fu.transfer_slot, to->task->caps(), tu.receive_slot,
                                                              uint32_t(fu.transfer_rights))
                             : Status::kNoRights;
        tu.transfer_status = int64_t(s);
        if (ok(s)) info |= ipcflags::kTransferCap;
    }
    to->frame.rdi = info;
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
    deliver(sender, self, sender->send_badge, sender->send_may_grant);
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

// Answers the caller this thread owes a reply, if any; returns it (not yet
// runnable: the caller of this decides whether to switch to it or queue it).
Thread* answer_caller(Thread* self)
{
    Thread* caller = self->reply_to;
    if (!caller) return nullptr;
    self->reply_to = nullptr;
    deliver(self, caller, 0, true); // a reply may pass a capability back
    caller->awaiting_reply_from = nullptr;
    return caller;
}

} // namespace

void ipc_call(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    uint64_t badge;
    uint32_t held;
    Status s = self->task->caps().lookup(slot, rights::kSend, ep, &badge, &held);
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
    if (flags & kIpcNonBlocking) return set_status(self, Status::kWouldBlock);
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
    if (ok(s)) s = check_grant(self, held);
    if (!ok(s)) return set_status(self, s);
    if (Thread* receiver = ep->pop_receiver()) {
        deliver(self, receiver, badge, true);
        receiver->reply_to = nullptr;
        set_status(self, Status::kOk);
        scheduler().make_ready(receiver); // preempts us if it matters more
        return;
    }
    if (flags & kIpcNonBlocking) return set_status(self, Status::kWouldBlock);
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
    if (flags & kIpcNonBlocking) return set_status(self, Status::kWouldBlock);
    block_on(self, ep, Thread::State::kBlockedReceive);
}

void ipc_reply(Thread* self)
{
    Thread* caller = answer_caller(self);
    if (!caller) return set_status(self, Status::kInvalidArgument); // nobody to answer
    set_status(self, Status::kOk);
    scheduler().make_ready(caller);
}

void ipc_reply_receive(Thread* self, uint64_t slot, uint64_t flags)
{
    Endpoint* ep;
    Status s = self->task->caps().lookup(slot, rights::kReceive, ep);
    if (!ok(s)) return set_status(self, s); // the reply is kept for a corrected retry
    Thread* caller = answer_caller(self);
    if (take_bound_signal(self)) {
        if (caller) scheduler().make_ready(caller);
        return;
    }
    if (Thread* sender = ep->pop_sender()) {
        if (caller) scheduler().make_ready(caller);
        return accept_sender(self, sender);
    }
    if (flags & kIpcNonBlocking) {
        if (caller) scheduler().make_ready(caller);
        return set_status(self, Status::kWouldBlock);
    }
    block_on(self, ep, Thread::State::kBlockedReceive);
    if (caller) scheduler().hand_over(caller); // the server loop's fast path: back to the client
}

void ipc_abandon_reply(Thread* self)
{
    if (Thread* caller = self->reply_to) {
        self->reply_to = nullptr;
        caller->awaiting_reply_from = nullptr;
        set_status(caller, Status::kDead);
        scheduler().make_ready(caller);
    }
}

} // namespace atoll_os
