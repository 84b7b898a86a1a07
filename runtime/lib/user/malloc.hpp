// The user heap: malloc/free and C++ new/delete for Atoll programs, in a
// fixed region. A program started by the root task (or the root task
// itself) has a pager-backed heap: touching it is enough, the pager maps
// memory up to the program's allowance. A program the kernel started maps
// its own, from its quota, a chunk at a time. Small blocks live in
// power-of-two size classes, large ones in page runs, both reused through
// free lists.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/program_env.hpp"

namespace atoll_os::user {

inline constexpr uint64_t kHeapBase = kUserHeapBase;
inline constexpr uint64_t kHeapLimit = 0x0000300000000000ull;

void* malloc(size_t bytes);       // 16-byte aligned; nullptr when the quota is used up
void free(void* p);               // nullptr is fine
size_t heap_bytes_mapped();       // for tests and diagnostics

} // namespace atoll_os::user
