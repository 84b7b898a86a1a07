// System calls that create objects or act on notifications; each returns
// the status for rax and may write results into the caller's frame.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

class Quota;

class Task;
class Thread;
struct InterruptFrame;

// The checks and work of two calls, shared with the owner's side of a call
// another core makes on one of our tasks (percpu/remote_invoke.cpp).
// A thread of `task` at entry/stack; it may not outrank `max_priority`.
Status start_thread(Task& task, uint64_t entry, uint64_t stack, uint64_t priority, uint8_t max_priority,
                    uint64_t argument, uint32_t& id);
// A new task paid from `payer`, its name checked (it names the task in the log).
Status make_task(Quota& payer, const char* name, uint64_t name_len, uint64_t quota, Task*& task);

Status sys_endpoint_create(Thread* self, uint64_t task_slot, uint64_t dest);
Status sys_thread_create(Thread* self, const InterruptFrame& f);
Status sys_notification_create(Thread* self, uint64_t task_slot, uint64_t dest);
Status sys_signal(Thread* self, uint64_t slot, uint64_t bits);
// Wait may block: it returns kOk with the thread already off the CPU.
Status sys_wait(Thread* self, uint64_t slot, bool block);
Status sys_notification_bind(Thread* self, uint64_t slot);
Status sys_cap_copy(Thread* self, const InterruptFrame& f);
// Revoke; for the original capability of an object other cores hold
// copies of, also theirs (the caller waits for every core to confirm).
Status sys_cap_revoke(Thread* self, uint64_t slot);
Status sys_task_set_fault_handler(Thread* self, uint64_t task_slot, uint64_t endpoint_slot);
Status sys_map_anonymous(Thread* self, const InterruptFrame& f);
Status sys_reply_save(Thread* self, uint64_t task_slot, uint64_t dest);

// memory_calls.cpp: frames and mappings.
Status sys_frame_create(Thread* self, uint64_t task_slot, uint64_t dest, uint64_t bytes);
Status sys_map(Thread* self, const InterruptFrame& f);
Status sys_unmap(Thread* self, uint64_t frame_slot);
Status sys_frame_info(Thread* self, uint64_t frame_slot);

// task_calls.cpp: creating tasks, setting them up, watching them end.
Status sys_task_create(Thread* self, const InterruptFrame& f);
Status sys_cap_give(Thread* self, const InterruptFrame& f);
Status sys_task_watch(Thread* self, uint64_t task_slot, uint64_t notification_slot, uint64_t bits);
Status sys_task_info(Thread* self, uint64_t task_slot);

// device_calls.cpp: interrupt lines and I/O ports for user-level drivers.
Status sys_irq_create(Thread* self, const InterruptFrame& f);
Status sys_irq_ack(Thread* self, uint64_t irq_slot);
Status sys_io_port_create(Thread* self, const InterruptFrame& f);
Status sys_io_port_enable(Thread* self, uint64_t port_slot);

} // namespace atoll_os
