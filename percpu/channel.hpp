// Channel: a lock-free single-producer/single-consumer ring of 64-byte messages between two cores.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <bit>
#include <new>
#include <type_traits>

// Not `atoll`: glibc declares ::atoll(const char*), which <atomic> (via
// libstdc++ 12's C++20 wait support) and GoogleTest pull in, and a global
// namespace may not share a function's name. Rename with the project.
namespace atoll_os {

// Ownership and cache lines (structural, so documented rather than tested):
//
//   ChannelRing header line  written only by the receiver (create + `consumed`)
//   ChannelSlot lines        written only by the sender (after create)
//   ChannelSender            lives in the sender's memory, touched only by it
//   ChannelReceiver          lives in the receiver's memory, touched only by it
//
// The receiver never stores to a slot (a slot's `seq` is never reset; see
// below), and the sender never stores to the header, so no cache line has
// two writers. The only shared traffic is inherent: the receiver reading
// slots the sender filled, and the sender re-reading `consumed` when its
// cached copy says the ring is full. The sender copies `slot_count` at
// attach precisely so that the fast path never touches the header line.
//
// Sequence numbers: message n (0-based, counted over the ring's lifetime)
// goes to slot n % N and is stamped seq = uint32_t(n + 1). Before message c
// is written, slot c % N holds message c - N, stamped uint32_t(c + 1 - N)
// (create() stamps a fresh ring the same way). N is a power of two that
// fits in uint32_t, so 1 <= N <= 2^31 and the two stamps differ even across
// the 32-bit wrap: an equality test tells "this lap" from "last lap". The
// sender never laps the receiver (it waits for `consumed`), so no third
// value can appear and no slot ever needs clearing.

inline constexpr size_t kChannelPayload = 56;

static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

struct alignas(64) ChannelSlot {
    std::atomic<uint32_t> seq;
    uint16_t type;
    uint16_t length;
    uint8_t payload[kChannelPayload];
};
static_assert(sizeof(ChannelSlot) == 64);
static_assert(alignof(ChannelSlot) == 64);

// What callers see: a copy, so the slot can be reused as soon as it is taken.
struct ChannelMessage {
    uint16_t type;
    uint16_t length;
    uint8_t payload[kChannelPayload];
};

// The shared memory of one channel, owned by (and local to) the receiver:
// one header line, then slot_count slots.
struct alignas(64) ChannelRing {
    // Next message the receiver has not finished with; release-stored only
    // by the receiver, after it has copied every message before it out.
    std::atomic<uint64_t> consumed;
    // Power of two, fixed at creation; read by both sides only in attach().
    uint32_t slot_count;

    static constexpr size_t bytes_for(uint32_t slots)
    {
        return sizeof(ChannelRing) + size_t{slots} * sizeof(ChannelSlot);
    }

    // Constructs a ring of `slots` slots (a power of two) in `memory`
    // (bytes_for(slots) bytes, 64-byte aligned): zeroes every field and
    // stamps the slots as described above. Returns nullptr if the arguments
    // break those rules. The receiver calls this on its own memory, then
    // hands the pointer to the sender with release/acquire (or an IPI, which
    // orders too) so the new ring is visible before the sender attaches.
    static ChannelRing* create(void* memory, uint32_t slots);

    // Test hook: as create(), but numbering starts at `first_message`
    // instead of 0, so tests can cross the 32-bit seq wrap without sending
    // 2^32 messages. Kernel code has no reason to call it.
    static ChannelRing* create_for_test(void* memory, uint32_t slots, uint64_t first_message);

    ChannelSlot* slots()
    {
        return std::launder(reinterpret_cast<ChannelSlot*>(reinterpret_cast<unsigned char*>(this) +
                                                           sizeof(ChannelRing)));
    }
};
static_assert(sizeof(ChannelRing) == 64);

class ChannelSender {
public:
    // Once per ring lifetime, before any message is sent on it: a sender
    // starts numbering where the receiver stands, so re-attaching while
    // messages are still in flight would overwrite them.
    void attach(ChannelRing* remote)
    {
        remote_ring_ = remote;
        slot_count_ = remote->slot_count;
        // On a fresh ring this is create's value, already ordered by the
        // pointer hand-over; acquire just keeps "every load of `consumed` is
        // acquire" free of exceptions (it is a plain mov on x86).
        produced_ = remote->consumed.load(std::memory_order_acquire);
        consumed_cache_ = produced_;
    }

    // Copies `length` bytes of `payload` into the next slot and publishes
    // it. Returns false, sending nothing, when the ring is full (the caller
    // decides whether to wait, and how), when length > kChannelPayload, or
    // when the sender is not attached. `payload` may be null iff length is
    // 0. Bytes of the slot beyond `length` are zeroed, so the receiver
    // never sees stale bytes from an older message.
    [[nodiscard]] bool try_send(uint16_t type, const void* payload, uint16_t length)
    {
        if (length > kChannelPayload) {
            return false;
        }
        // consumed_cache_ only ever lags the real `consumed`, so a stale
        // cache errs towards "full", never towards overwriting. Unattached,
        // slot_count_ is 0, so this branch also screens that case at no cost
        // to the fast path.
        if (produced_ - consumed_cache_ == slot_count_) {
            if (remote_ring_ == nullptr) {
                return false;
            }
            // Acquire pairs with the receiver's release of `consumed`: its
            // copies out of the slots we are about to reuse happen before
            // our stores into them.
            consumed_cache_ = remote_ring_->consumed.load(std::memory_order_acquire);
            if (produced_ - consumed_cache_ == slot_count_) {
                return false;
            }
        }
        ChannelSlot& slot = remote_ring_->slots()[produced_ & (slot_count_ - 1)];
        slot.type = type;
        slot.length = length;
        if (length != 0) {
            __builtin_memcpy(slot.payload, payload, length);
        }
        for (size_t i = length; i < kChannelPayload; ++i) {
            slot.payload[i] = 0;
        }
        // Release, and last: the receiver's acquire of this seq makes every
        // store above visible before it reads them.
        slot.seq.store(static_cast<uint32_t>(produced_ + 1), std::memory_order_release);
        ++produced_;
        return true;
    }

    // Messages sent over the ring's lifetime (from its first number, which
    // is 0 unless a test hook chose otherwise).
    uint64_t sent() const { return produced_; }
    bool attached() const { return remote_ring_ != nullptr; }

private:
    ChannelRing* remote_ring_ = nullptr;
    uint64_t produced_ = 0;
    uint64_t consumed_cache_ = 0;
    // Private copy of remote_ring_->slot_count: the header line is the one
    // the receiver writes, so reading it per send would bounce it.
    uint32_t slot_count_ = 0;
};

class ChannelReceiver {
public:
    // Once per ring lifetime, normally right after ChannelRing::create.
    void attach(ChannelRing* local)
    {
        ring_ = local;
        slot_count_ = local->slot_count;
        // Our own earlier store (or create's), so relaxed is enough.
        next_ = local->consumed.load(std::memory_order_relaxed);
    }

    // Copies the next message out and frees its slot; false when none has
    // arrived yet (or the receiver is not attached).
    [[nodiscard]] bool try_receive(ChannelMessage& out)
    {
        if (ring_ == nullptr) {
            return false;
        }
        const ChannelSlot& slot = ring_->slots()[next_ & (slot_count_ - 1)];
        // Acquire pairs with the sender's release of seq: the slot's type,
        // length and payload stores are visible once we see this number.
        if (slot.seq.load(std::memory_order_acquire) != static_cast<uint32_t>(next_ + 1)) {
            return false;
        }
        out.type = slot.type;
        out.length = slot.length;
        __builtin_memcpy(out.payload, slot.payload, kChannelPayload);
        ++next_;
        // Release, after the copy: the sender's acquire of `consumed` orders
        // its reuse of this slot after our reads of it.
        //
        // Published per message rather than per batch: the sender reads
        // `consumed` only when its cache says "full", so while it is not
        // looking this store hits a line already Modified in our cache
        // (on x86 a release store is a plain mov), and coherence traffic is
        // bounded by the sender's reloads, not by our stores. Batching would
        // save nothing measurable, would delay relief to a blocked sender,
        // and would oblige us to flush before going idle or the sender could
        // wait forever on slots we have already emptied.
        ring_->consumed.store(next_, std::memory_order_release);
        return true;
    }

    // True when the next message has not arrived. Relaxed: it reads no
    // payload, and try_receive re-checks with acquire. A receiver about to
    // sleep must re-check after arming its wake-up, as for any doorbell.
    bool attached() const { return ring_ != nullptr; }

    bool empty() const
    {
        if (ring_ == nullptr) {
            return true;
        }
        const ChannelSlot& slot = ring_->slots()[next_ & (slot_count_ - 1)];
        return slot.seq.load(std::memory_order_relaxed) != static_cast<uint32_t>(next_ + 1);
    }

    // Messages received over the ring's lifetime (see ChannelSender::sent).
    uint64_t received() const { return next_; }

private:
    ChannelRing* ring_ = nullptr;
    uint64_t next_ = 0;
    uint32_t slot_count_ = 0;
};

// Sends the object representation of `value`; the receiver gets it back
// with payload_as<T>. Same failure cases as try_send.
template <class T>
    requires std::is_trivially_copyable_v<T> && (sizeof(T) <= kChannelPayload)
[[nodiscard]] bool try_send_value(ChannelSender& sender, uint16_t type, const T& value)
{
    return sender.try_send(type, &value, static_cast<uint16_t>(sizeof(T)));
}

// Reads the first sizeof(T) payload bytes as a T. The caller checks `type`
// first; a shorter message reads as zero-extended, since senders zero the
// unused bytes.
template <class T>
    requires std::is_trivially_copyable_v<T> && (sizeof(T) <= kChannelPayload)
T payload_as(const ChannelMessage& message)
{
    // Through a byte array of exactly sizeof(T) so T need not be default
    // constructible and no object of type T is aliased.
    struct Bytes {
        uint8_t b[sizeof(T)];
    } bytes;
    static_assert(sizeof(Bytes) == sizeof(T));
    __builtin_memcpy(bytes.b, message.payload, sizeof(T));
    return std::bit_cast<T>(bytes);
}

} // namespace atoll_os
