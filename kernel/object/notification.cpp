// Notification signalling and teardown.
#include "kernel/object/notification.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"

namespace atoll_os {
namespace {

void wake_with_bits(Thread* t, uint64_t bits)
{
    t->frame.rax = uint64_t(Status::kOk);
    t->frame.rdx = bits;
    t->frame.rsi = sys::kNotificationBadge;
    scheduler().make_ready(t);
}

} // namespace

Notification* Notification::create(Quota& payer, Status& status)
{
    return create_object<Notification>(payer, status, payer);
}

void Notification::signal(uint64_t bits)
{
    bits_ |= bits;
    if (!bits_) return;
    if (Thread* t = waiter) {
        waiter = nullptr;
        t->waiting_on = nullptr;
        wake_with_bits(t, take());
        return;
    }
    // A bound thread blocked receiving on an endpoint gets the bits instead.
    if (Thread* t = bound; t && t->state == Thread::State::kBlockedReceive && t->blocked_on) {
        t->blocked_on->remove_receiver(t);
        wake_with_bits(t, take());
    }
}

void Notification::destroy()
{
    if (Thread* t = waiter) {
        waiter = nullptr;
        t->waiting_on = nullptr;
        t->frame.rax = uint64_t(Status::kDead);
        scheduler().make_ready(t);
    }
    if (bound) bound->bound_notification = nullptr;
    destroy_object(this, *payer_);
}

} // namespace atoll_os
