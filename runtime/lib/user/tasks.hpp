// System calls for creating and setting up other tasks, and the log port.
#pragma once

#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::user {

inline Status task_create(uint64_t payer_slot, uint64_t dest, uint64_t quota_bytes, const char* name, uint64_t len)
{
    Message m{{quota_bytes, reinterpret_cast<uint64_t>(name), len, 0}};
    return ipc_syscall(sys::kTaskCreate, payer_slot, dest, m);
}
// A copy of our `from` in `task_slot`'s slot `dest`, rights reduced to the
// mask, badged if it has no badge yet.
inline Status cap_give(uint64_t from, uint64_t task_slot, uint64_t dest, uint32_t rights_mask, uint64_t badge = 0)
{
    Message m{{dest, rights_mask, badge, 0}};
    return ipc_syscall(sys::kCapGive, from, task_slot, m);
}
// Starts a thread in another task (or ours) at `entry` with `stack_top` as
// is; it begins with rsi = `argument`.
inline Status thread_start(uint64_t task_slot, uint64_t entry, uint64_t stack_top, uint64_t priority,
                           uint64_t argument)
{
    Message m{{stack_top, priority, argument, 0}};
    return ipc_syscall(sys::kThreadCreate, task_slot, entry, m);
}
// A span of our task `origin` on the core of `on_task` (a task of another
// core, which pays `quota_bytes` for it), in `dest`: the same address
// space, used there by threads started in it (percpu/span.hpp).
inline Status task_span(uint64_t on_task, uint64_t dest, uint64_t quota_bytes, uint64_t origin = sys::kSlotSelf)
{
    Message m{{quota_bytes, origin, 0, 0}};
    return ipc_syscall(sys::kTaskSpan, on_task, dest, m);
}
inline Status task_watch(uint64_t task_slot, uint64_t notification_slot, uint64_t bits)
{
    Message m{{bits, 0, 0, 0}};
    return ipc_syscall(sys::kTaskWatch, task_slot, notification_slot, m);
}
struct TaskInfo {
    uint64_t live_threads;
    int64_t exit_code;
    uint64_t state; // sys::TaskState
};
inline Status task_info(uint64_t task_slot, TaskInfo& info)
{
    Message m{};
    Status s = ipc_syscall(sys::kTaskInfo, task_slot, 0, m);
    info = TaskInfo{m.w[0], int64_t(m.w[1]), m.w[2]};
    return s;
}
// The core the calling thread runs on, as its kernel says (not what the
// environment page claims), and how many the machine has.
struct CoreInfo {
    uint32_t core, cores;
    uint64_t counters; // sys::kCounters* | width << 8: what RDPMC reads here (bench/atoll/counters.hpp)
};
inline CoreInfo core_info()
{
    Message m{};
    (void)ipc_syscall(sys::kCoreInfo, 0, 0, m);
    return CoreInfo{uint32_t(m.w[0]), uint32_t(m.w[1]), m.w[2]};
}
inline uint32_t current_core() { return core_info().core; }
// TSC ticks per second, as the boot core calibrated them.
inline uint64_t tsc_frequency()
{
    Message m{};
    (void)ipc_syscall(sys::kTscFrequency, 0, 0, m);
    return m.w[0];
}
inline Status log_write(uint64_t port_slot, const char* text, uint64_t len)
{
    Message m{{len, 0, 0, 0}};
    return ipc_syscall(sys::kLogWrite, port_slot, reinterpret_cast<uint64_t>(text), m);
}

} // namespace atoll_os::user
