// Starting a task from an ELF image in kernel memory: the kernel does this
// only for the first tasks (from boot modules); later tasks are loaded by
// the root task in user space.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/program_env.hpp"
#include "kernel/abi/status.hpp"

namespace atoll_os {

class Thread;

inline constexpr uint64_t kUserStackTop = kMainStackTop;
inline constexpr uint64_t kUserStackSize = 64 * 1024;

// Creates the task and its first thread (ready to be scheduled). Reports
// what is wrong with the image in the log.
[[nodiscard]] Status start_elf_task(const uint8_t* image, size_t size, const char* name, uint8_t priority,
                                    uint64_t quota_bytes, Thread*& thread_out);

} // namespace atoll_os
