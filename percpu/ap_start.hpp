// Starting the other cores, from the boot core: one at a time, each on
// bring-up page tables the boot core builds in its own low memory, each
// reporting back over its channel before the next starts.
#pragma once

#include <stdint.h>

namespace atoll_os {

// Starts every core in the topology; returns how many came online
// (including the boot core). A core that does not answer is logged and left.
uint32_t start_all_cores();

// Core 0's view of who is up, fed by kOnline messages.
bool core_is_online(uint32_t core);

} // namespace atoll_os
