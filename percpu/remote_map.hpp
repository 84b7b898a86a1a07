// The only way a kernel instance reaches another core's memory: mapping a
// channel ring or a channel directory page into its own physmap. Everything
// returned here is named remote_* by its users.
#pragma once

#include <stdint.h>

namespace atoll_os {

// Maps [phys, phys+bytes) into this core's physmap; returns the virtual
// address, or nullptr (reported) if page tables could not be allocated.
// Mapping an already mapped page is fine (pages are shared by rings).
void* map_remote(uint64_t phys, uint64_t bytes, bool writable);

// Page-table memory map_remote has taken so far (it is never given back:
// a channel, once made, lasts as long as the machine).
uint64_t remote_map_table_bytes();

} // namespace atoll_os
