// Reading user memory from the kernel: every pointer and length is checked
// against user space, and a fault while copying is an error return.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

struct InterruptFrame;

[[nodiscard]] Status copy_from_user(void* dst, uint64_t user_src, size_t len);
// True (and the frame redirected) if a kernel-mode page fault happened in a
// user copy; called by the page-fault handler before it panics.
bool fixup_user_copy_fault(InterruptFrame& frame);
// Chooses the SMAP-aware copy on CPUs that have SMAP enabled.
void user_access_init_core(bool smap_enabled);

} // namespace atoll_os
