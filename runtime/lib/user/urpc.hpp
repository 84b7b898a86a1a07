// URPC: a one-way channel of cache-line messages in memory two tasks share
// (the Barrelfish idea), for tasks on different cores that want to talk
// without the kernel. One page holds a ring: a header line the receiver
// writes, then 63 slots the sender writes, each a sequence number and seven
// words. The receiver polls; when it has spun long enough it says so in the
// header and waits on its notification, and a sender that sees this
// signals it (a cross-core signal when the peer is on another core). Two
// rings make a request/response pair. Header-only: the Linux baselines
// compile the same code for the host.
#pragma once

#include <stdint.h>

#include <atomic>

namespace atoll_os::urpc {

inline constexpr unsigned kWords = 7;

struct alignas(64) Slot {
    std::atomic<uint64_t> seq; // the message number once it is complete
    uint64_t w[kWords];
};

struct alignas(64) Ring {
    static constexpr unsigned kSlots = 63;
    std::atomic<uint64_t> consumed;     // last message the receiver is done with
    std::atomic<uint32_t> sleeping;     // the receiver waits on its notification
    uint8_t pad[64 - sizeof(std::atomic<uint64_t>) - sizeof(std::atomic<uint32_t>)];
    Slot slots[kSlots];
};
static_assert(sizeof(Ring) == 4096, "one page");

struct Message {
    uint64_t w[kWords];
};

// Wake(peer) is whatever wakes a sleeping receiver (on Atoll: signal its
// notification). Relax() is one pause in a spin. A channel whose receiver
// only ever polls (kMaySleep false) skips the StoreLoad fence that the
// sleeping handshake needs: that fence is most of a send's cost.
template <class Wake, bool kMaySleep = true> class Sender {
public:
    Sender(Ring& ring, Wake wake) : ring_(ring), wake_(wake) {}

    bool try_send(const Message& m)
    {
        // The header line is the receiver's: read it only when our last
        // view of it says the ring is full, so a send normally touches
        // nothing but its slot (one line moving between the cores).
        if (next_ - consumed_ > Ring::kSlots) {
            consumed_ = ring_.consumed.load(std::memory_order_acquire);
            if (next_ - consumed_ > Ring::kSlots) return false; // full
        }
        Slot& s = ring_.slots[(next_ - 1) % Ring::kSlots];
        for (unsigned i = 0; i < kWords; ++i) s.w[i] = m.w[i];
        s.seq.store(next_++, std::memory_order_release);
        if constexpr (kMaySleep) {
            // Seen after our store (seq_cst on both sides): either the
            // receiver sees the message before it sleeps, or we see it sleeping.
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (ring_.sleeping.load(std::memory_order_relaxed)) wake_();
        }
        return true;
    }

    template <class Relax> void send(const Message& m, Relax relax)
    {
        while (!try_send(m)) relax();
    }

private:
    Ring& ring_;
    Wake wake_;
    uint64_t next_ = 1;
    uint64_t consumed_ = 0; // the receiver's `consumed` as we last read it
};

// Wait() blocks until woken (on Atoll: wait on the notification).
template <class Wait> class Receiver {
public:
    static constexpr uint64_t kPublish = 8;
    static_assert(kPublish < Ring::kSlots);
    Receiver(Ring& ring, Wait wait) : ring_(ring), wait_(wait) {}

    bool try_receive(Message& m)
    {
        Slot& s = ring_.slots[(next_ - 1) % Ring::kSlots];
        if (s.seq.load(std::memory_order_acquire) != next_) return false;
        for (unsigned i = 0; i < kWords; ++i) m.w[i] = s.w[i];
        // Published every kPublish messages, not each: a sender reads it
        // only when it thinks the ring full, and by then (kPublish < the
        // slots) it sees enough room. Fewer writes keep the header line
        // shared, so a may-sleep sender's look at `sleeping` stays a hit.
        if (next_ % kPublish == 0) ring_.consumed.store(next_, std::memory_order_release);
        ++next_;
        return true;
    }

    // Spins `spins` times, then sleeps until a sender wakes it.
    template <class Relax> void receive(Message& m, unsigned spins, Relax relax)
    {
        for (;;) {
            for (unsigned i = 0; i < spins; ++i) {
                if (try_receive(m)) return;
                relax();
            }
            ring_.consumed.store(next_ - 1, std::memory_order_release); // a sender may be waiting for room
            ring_.sleeping.store(1, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (try_receive(m)) {
                ring_.sleeping.store(0, std::memory_order_relaxed);
                return;
            }
            wait_();
            ring_.sleeping.store(0, std::memory_order_relaxed);
        }
    }

private:
    Ring& ring_;
    Wait wait_;
    uint64_t next_ = 1;
};

} // namespace atoll_os::urpc
