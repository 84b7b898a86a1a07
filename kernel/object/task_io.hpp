// A task's I/O permission bitmap: the union of the port ranges mapped into
// it (mapping.hpp's I/O records), paid from its quota, and put in force
// on this core whenever its address space is.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

class Task;

// Makes the task's bitmap long enough to hold `last_port`.
[[nodiscard]] Status reserve_io_bitmap(Task& task, uint16_t last_port);
// Recomputes it from the task's I/O mappings (never allocates); frees it
// when none are left, so the task's switches cost nothing again.
void rebuild_io_bitmap(Task& task);

} // namespace atoll_os
