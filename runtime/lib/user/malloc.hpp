// The user heap: malloc/free and C++ new/delete for Atoll programs. Memory
// comes from the task's own quota through map_anonymous, grown a chunk at a
// time in a fixed region; small blocks live in power-of-two size classes,
// large ones in page runs, both reused through free lists.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atoll_os::user {

inline constexpr uint64_t kHeapBase = 0x0000200000000000ull;
inline constexpr uint64_t kHeapLimit = 0x0000300000000000ull;

void* malloc(size_t bytes);       // 16-byte aligned; nullptr when the quota is used up
void free(void* p);               // nullptr is fine
size_t heap_bytes_mapped();       // for tests and diagnostics

} // namespace atoll_os::user
