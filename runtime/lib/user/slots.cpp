// Bitmap slot allocator.
#include "runtime/lib/user/slots.hpp"

namespace atoll_os::user {
namespace {
uint64_t g_used[kSlotCount / 64];
} // namespace

uint64_t alloc_slot()
{
    for (uint64_t w = kFirstFreeSlot / 64; w < kSlotCount / 64; ++w) {
        uint64_t free_bits = ~g_used[w];
        if (w == kFirstFreeSlot / 64) free_bits &= ~((uint64_t(1) << (kFirstFreeSlot % 64)) - 1);
        if (!free_bits) continue;
        unsigned bit = unsigned(__builtin_ctzll(free_bits));
        g_used[w] |= uint64_t(1) << bit;
        return w * 64 + bit;
    }
    return kNoSlot;
}

void reserve_slot(uint64_t slot)
{
    if (slot >= kFirstFreeSlot && slot < kSlotCount) g_used[slot / 64] |= uint64_t(1) << (slot % 64);
}

void free_slot(uint64_t slot)
{
    if (slot < kFirstFreeSlot || slot >= kSlotCount) return;
    g_used[slot / 64] &= ~(uint64_t(1) << (slot % 64));
}

} // namespace atoll_os::user
