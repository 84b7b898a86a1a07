// Channel: in-place construction of a ring in the receiver's memory.
#include "percpu/channel.hpp"

namespace atoll_os {

namespace {

ChannelRing* construct(void* memory, uint32_t slots, uint64_t first_message)
{
    if (memory == nullptr || reinterpret_cast<uintptr_t>(memory) % alignof(ChannelRing) != 0 ||
        !std::has_single_bit(slots)) {
        return nullptr;
    }
    // `{}` value-initializes every member, so nothing the memory held
    // before (type, length, payload) can ever be copied out.
    ChannelRing* ring = new (memory) ChannelRing{};
    ring->slot_count = slots;
    ring->consumed.store(first_message, std::memory_order_relaxed);

    // Stamp each slot as if it held the message one lap before the first
    // (seq of message k is uint32_t(k + 1), k = first_message - slots + i).
    // Whatever first_message is, that differs from the seq the receiver
    // waits for in this slot's first lap (see the header), whereas plain
    // zero would be accepted as message 2^32 - 1 if the first lap reached
    // it. Relaxed is enough: the pointer's hand-over to the sender orders
    // everything done here.
    ChannelSlot* slot_array = reinterpret_cast<ChannelSlot*>(ring + 1);
    for (uint32_t i = 0; i < slots; ++i) {
        const uint64_t n = first_message + i;
        ChannelSlot* slot = new (&slot_array[n & (slots - 1)]) ChannelSlot{};
        slot->seq.store(static_cast<uint32_t>(n - slots + 1), std::memory_order_relaxed);
    }
    return ring;
}

} // namespace

ChannelRing* ChannelRing::create(void* memory, uint32_t slots)
{
    return construct(memory, slots, 0);
}

ChannelRing* ChannelRing::create_for_test(void* memory, uint32_t slots, uint64_t first_message)
{
    return construct(memory, slots, first_message);
}

} // namespace atoll_os
