// The root task as pager of the programs it starts: their images, stacks
// and heaps appear page by page where they touch them, each page counted
// against the program's allowance and taken from memory sigma0 gave us.
#pragma once

#include <stdint.h>

#include "runtime/root/child.hpp"

namespace atoll_os::root {

// A fresh zeroed page for `c`: which frame, which page of it, and where the
// root task can write it. False when its allowance or sigma0 runs out.
bool take_page(Child& c, uint64_t& frame_slot, uint64_t& page, uint8_t*& contents);

// Handles a fault message of `c` (kernel/abi/syscalls.hpp has its words):
// true if the page is now there and the thread may retry.
bool resolve_fault(Child& c, uint64_t address, uint64_t ip, uint64_t code);

// A frame of `bytes` for `c` to share (the memory service), in our slot
// `dest`, counted against its allowance.
bool give_frame(Child& c, uint64_t bytes, uint64_t dest);

// Gives back everything `c` had (after it ended).
void release_memory(Child& c);

} // namespace atoll_os::root
