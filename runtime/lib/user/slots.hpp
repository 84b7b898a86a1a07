// Capability-slot allocation for a program: slots 0-15 are fixed by
// convention (0 own task, 1 boot endpoint, the rest for the runtime);
// everything above is handed out here.
#pragma once

#include <stdint.h>

namespace atoll_os::user {

inline constexpr uint64_t kFirstFreeSlot = 16;
inline constexpr uint64_t kSlotCount = 256; // CapSpace::kSlots
inline constexpr uint64_t kNoSlot = ~0ull;

uint64_t alloc_slot();         // kNoSlot when all are in use
void free_slot(uint64_t slot); // slots below kFirstFreeSlot are ignored
void reserve_slot(uint64_t slot); // already holds something (the start-up code marks the environment's)

} // namespace atoll_os::user
