// Frame and mapping system calls for user programs.
#pragma once

#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::user {

// A zeroed frame of at least `bytes` (rounded up to 2^n pages, at most
// 4 MiB), paid from `task_slot`'s quota, in slot `dest`.
inline Status frame_create(uint64_t task_slot, uint64_t dest, uint64_t bytes)
{
    Message m{{bytes, 0, 0, 0}};
    return ipc_syscall(sys::kFrameCreate, task_slot, dest, m);
}
// Maps `pages` pages of the frame (0: all from first_page on) at `va` in
// the task; flags kMapWrite or kMapExecute (never both).
inline Status map(uint64_t task_slot, uint64_t frame_slot, uint64_t va, uint64_t flags, uint64_t first_page = 0,
                  uint64_t pages = 0)
{
    Message m{{va, flags, first_page, pages}};
    return ipc_syscall(sys::kMap, task_slot, frame_slot, m);
}
// Removes every mapping made through this frame capability.
inline Status unmap(uint64_t frame_slot)
{
    Message m{};
    return ipc_syscall(sys::kUnmap, frame_slot, 0, m);
}
inline Status frame_info(uint64_t frame_slot, uint64_t& bytes, uint64_t* phys = nullptr)
{
    Message m{};
    Status s = ipc_syscall(sys::kFrameInfo, frame_slot, 0, m);
    bytes = m.w[0];
    if (phys) *phys = m.w[1];
    return s;
}

} // namespace atoll_os::user
