// Frame-pointer stack walking over this core's stacks only.
#pragma once

#include <stdint.h>

namespace atoll_os {

using FrameVisitor = void (*)(unsigned depth, uint64_t return_ip);

// Follows the rbp chain from `rbp`, calling `visit` per return address.
// Stops at a null, misaligned or out-of-stack frame pointer, so a corrupt
// stack ends the walk instead of faulting inside a panic.
unsigned walk_frames(uint64_t rbp, FrameVisitor visit, unsigned max_depth = 32);

// A range the walker may read (registered per core: kernel and IST stacks,
// the bring-up stack).
void allow_stack_range(uint64_t lo, uint64_t hi);

} // namespace atoll_os
