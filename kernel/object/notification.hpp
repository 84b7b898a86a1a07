// Notification: a word of signal bits. Signals accumulate (OR) until a
// thread waits or polls, which takes them all. Interrupts will arrive this
// way. A notification bound to a thread also ends that thread's endpoint
// receive, so one thread can wait for messages and signals at once.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class Thread;

class Notification final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kNotification;

    static Notification* create(Quota& payer, Status& status);
    void destroy(); // wakes a waiter with kDead, unbinds

    // Adds bits; wakes the waiting (or bound, receiving) thread if any.
    void signal(uint64_t bits);
    // Takes all pending bits (0 if none).
    uint64_t take() { uint64_t b = bits_; bits_ = 0; return b; }
    bool pending() const { return bits_ != 0; }

    Thread* waiter = nullptr;     // blocked in wait()
    Thread* bound = nullptr;      // its receives also end on a signal

    explicit Notification(Quota& payer) : KObject(ObjectType::kNotification), payer_(&payer) {}

private:
    uint64_t bits_ = 0;
    Quota* payer_;
};

} // namespace atoll_os
