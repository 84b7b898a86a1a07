// Remote invocation: a system call on a Task capability that names another
// core's task (a RemoteRef) is done by that core's kernel, never here.
// This is how the root task creates work on other cores: each core exposes
// a Task of its own (its core task, percpu/core_tasks.hpp); creating a task,
// endpoint, notification or frame through it makes the object on that core,
// paid from that core's memory, and the caller gets a RemoteRef to it. The
// new task is then set up the same way: capabilities given, frames mapped,
// its pager and exit watcher set, its first thread started.
//
//   core A (caller)                          core B (owner of the task)
//   thread T: kMap(task, frame, ...)
//     ── kInvoke(token, op, args) ─────────▶  export table: token → Task
//     ── kInvokeCap(frame, exported to B) ─▶  the frame as a RemoteRef; map it
//   T blocked (kBlockedRemote)               (the mapping holds that RemoteRef)
//   T ready, status set  ◀─ kInvokeReply ──  made object: exported to A, token
//
// One request and one answer each; the owner does the whole operation as it
// handles the message, so nothing waits on its side.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

class Thread;
struct InterruptFrame;

// Every core: the message handlers.
void remote_invoke_init();

// For the calls that take a Task capability (rdi; rsi for kCapGive): if
// the slot names another core's task, sends the call there and returns
// true: `self` then waits for the answer, or has its status in rax if the
// call could not be sent. False: a local call.
bool invoke_if_remote(Thread* self, InterruptFrame& f);

} // namespace atoll_os
