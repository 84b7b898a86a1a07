// Endpoint wait queues and teardown.
#include "kernel/object/endpoint.hpp"

#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"

namespace atoll_os {

Endpoint* Endpoint::create(Quota& payer, Status& status) { return create_object<Endpoint>(payer, status, payer); }

void Endpoint::push(Queue& q, Thread* t)
{
    t->queue_next = nullptr;
    t->queue_prev = q.tail;
    if (q.tail) q.tail->queue_next = t;
    else q.head = t;
    q.tail = t;
}

void Endpoint::unlink(Queue& q, Thread* t)
{
    if (t->queue_prev) t->queue_prev->queue_next = t->queue_next;
    else q.head = t->queue_next;
    if (t->queue_next) t->queue_next->queue_prev = t->queue_prev;
    else q.tail = t->queue_prev;
    t->queue_next = t->queue_prev = nullptr;
    t->blocked_on = nullptr;
}

Thread* Endpoint::pop(Queue& q)
{
    Thread* t = q.head;
    if (!t) return nullptr;
    q.head = t->queue_next;
    if (q.head) q.head->queue_prev = nullptr;
    else q.tail = nullptr;
    t->queue_next = t->queue_prev = nullptr;
    t->blocked_on = nullptr;
    return t;
}

void Endpoint::cancel_proxies()
{
    Thread* t = senders_.head;
    while (t) {
        Thread* next = t->queue_next;
        if (t->proxy) {
            unlink(senders_, t);
            t->frame.rax = uint64_t(Status::kDead);
            scheduler().make_ready(t); // sends the answer home
        }
        t = next;
    }
}

void Endpoint::destroy()
{
    Queue* queues[] = {&senders_, &receivers_};
    for (Queue* q : queues) {
        while (Thread* t = pop(*q)) {
            t->frame.rax = uint64_t(Status::kDead);
            scheduler().make_ready(t);
        }
    }
    destroy_object(this, *payer_);
}

} // namespace atoll_os
