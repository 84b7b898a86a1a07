// Messenger: this kernel instance's end of every channel. It creates rings
// lazily, rings doorbells only when the peer is halted, applies
// backpressure by pumping its own inbox while a peer's ring is full (so two
// cores sending to each other cannot deadlock), and dispatches messages.
//
// Urgent messages (TLB shootdown, percpu/span.hpp) are the exception: a
// kernel waits for their answers in the middle of an operation, so they
// ring the doorbell always (a core running user code takes it at once),
// and poll_urgent() handles only them, setting the others of each ring
// aside, in order, for the next poll(). Their handlers touch nothing but
// page tables, so running them there cannot disturb the interrupted work.
#pragma once

#include <stdint.h>

#include "percpu/channel.hpp"
#include "percpu/channel_directory.hpp"
#include "percpu/messages.hpp"

namespace atoll_os {

using MessageHandler = void (*)(uint32_t from_core, const ChannelMessage& msg);

class Messenger {
public:
    static constexpr uint32_t kRingSlots = 64;

    // Initializes this core's directory page and the IPI handlers.
    void init(uint32_t self_core, uint64_t directory_phys, uint64_t boot_magic);

    void set_handler(Msg type, MessageHandler handler);

    // Sends one message, creating the channel on first use. Waits while the
    // ring is full. False only if the channel could not be created.
    [[nodiscard]] bool send(uint32_t dest, Msg type, const void* payload, uint16_t length);
    template <class T> [[nodiscard]] bool send_value(uint32_t dest, Msg type, const T& value)
    {
        static_assert(sizeof(T) <= kChannelPayload);
        return send(dest, type, &value, sizeof(T));
    }

    // An urgent message (set_urgent): the doorbell rings whatever the peer does.
    [[nodiscard]] bool send_urgent(uint32_t dest, Msg type, const void* payload, uint16_t length);
    template <class T> [[nodiscard]] bool send_urgent_value(uint32_t dest, Msg type, const T& value)
    {
        static_assert(sizeof(T) <= kChannelPayload);
        return send_urgent(dest, type, &value, sizeof(T));
    }
    void set_urgent(Msg type) { urgent_[uint16_t(type)] = true; }

    // Handles every message waiting now; returns how many.
    unsigned poll();
    // Handles only the urgent messages waiting now (the rest wait, in
    // order, for poll()); safe in the middle of any kernel operation.
    unsigned poll_urgent();

    // Pumps messages (halting between doorbells) until done() or the
    // timeout; returns done().
    template <class Pred> bool wait_until(Pred done, uint64_t timeout_us)
    {
        uint64_t deadline = deadline_after(timeout_us);
        uint64_t idle_since = 0;
        while (!done()) {
            if (poll()) {
                idle_since = 0;
                continue;
            }
            uint64_t now = now_tsc();
            if (now >= deadline) return done();
            // Spin briefly before halting: a peer in a request/reply
            // exchange usually answers within microseconds, and an IPI wake
            // costs far more (much more again when virtualized).
            if (!idle_since) idle_since = now;
            if (now - idle_since < spin_before_idle_tsc()) {
                relax();
                continue;
            }
            idle_until_doorbell();
            idle_since = 0;
        }
        return true;
    }

    uint64_t sent_to(uint32_t core) const { return senders_[core].sent(); }
    // Memory this core has given rings from other cores (kept for good).
    uint64_t ring_bytes() const { return ring_bytes_; }
    uint64_t received_from(uint32_t core) const { return receivers_[core].received(); }

    // Called from the request IPI: someone wants a ring to us.
    void note_channel_request() { request_pending_ = true; }

    // For an idle loop elsewhere (the scheduler's): halts until a doorbell
    // or any interrupt, unless a message is already waiting; peers ring
    // only while we are here. Returns with interrupts enabled.
    void idle_until_doorbell();
    // How long to spin on the rings before halting is worth it.
    static uint64_t spin_before_idle_tsc();

private:
    bool connect(uint32_t dest);
    void service_channel_requests();
    const ChannelDirectory* remote_directory(uint32_t core);
    void ring_doorbell_if_idle(uint32_t dest);
    bool anything_pending() const;
    // Messages for a peer whose ring was full, in order, until it has room:
    // sending never runs other handlers in the middle of a handler's send
    // (which reordered messages and nested without bound).
    struct Overflow {
        ChannelMessage* items = nullptr;
        uint32_t head = 0, count = 0, capacity = 0;
    };
    [[nodiscard]] bool enqueue(uint32_t dest, Msg type, const void* payload, uint16_t length);
    void flush(uint32_t dest);
    void flush_all();
    static bool push(Overflow& q, uint16_t type, const void* payload, uint16_t length);
    void dispatch(uint32_t from, const ChannelMessage& msg);
    unsigned drain_set_aside(uint32_t from);
    static uint64_t deadline_after(uint64_t timeout_us);
    static bool past(uint64_t deadline);
    static uint64_t now_tsc();
    static void relax();

    uint32_t self_ = 0;
    uint64_t magic_ = 0;
    ChannelDirectory* dir_ = nullptr;
    volatile bool request_pending_ = false;
    ChannelSender senders_[kMaxCores];
    ChannelReceiver receivers_[kMaxCores];
    uint32_t active_[kMaxCores];        // cores with a ring to us, in creation order
    uint32_t active_count_ = 0;
    uint64_t ring_bytes_ = 0;
    Overflow overflow_[kMaxCores];
    uint32_t overflowing_ = 0; // peers with queued messages
    Overflow set_aside_[kMaxCores]; // received, not urgent, put aside by poll_urgent()
    uint32_t setting_aside_ = 0;    // peers with messages set aside
    const ChannelDirectory* remote_dirs_[kMaxCores];
    MessageHandler handlers_[uint16_t(Msg::kCount)];
    bool urgent_[uint16_t(Msg::kCount)] = {};
};

// This core's messenger (per instance, like every kernel global).
Messenger& messenger();

} // namespace atoll_os
