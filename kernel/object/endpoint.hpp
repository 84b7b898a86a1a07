// Endpoint: the rendezvous point of synchronous IPC. Threads that arrive
// before their partner wait here, senders and receivers in FIFO order.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class Thread;

class Endpoint final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kEndpoint;

    static Endpoint* create(Quota& payer, Status& status);
    // Wakes every waiting thread with kDead, then frees the endpoint.
    void destroy();

    void push_sender(Thread* t) { push(senders_, t); }
    void push_receiver(Thread* t) { push(receivers_, t); }
    Thread* pop_sender() { return pop(senders_); }
    Thread* pop_receiver() { return pop(receivers_); }
    // Ends every queued call from another core (its proxy) with kDead.
    void cancel_proxies();
    // A waiting receiver leaves early (its bound notification fired).
    void remove_receiver(Thread* t) { unlink(receivers_, t); }

    explicit Endpoint(Quota& payer) : KObject(ObjectType::kEndpoint), payer_(&payer) {}

private:
    struct Queue { Thread* head = nullptr; Thread* tail = nullptr; };
    static void push(Queue& q, Thread* t);
    static Thread* pop(Queue& q);
    static void unlink(Queue& q, Thread* t);
    Queue senders_, receivers_;
    Quota* payer_;
};

} // namespace atoll_os
