// Core tasks: the capability each core exposes for creating work on it.
// Every core's kernel makes one Task that stands for the core itself: what
// is created through it (tasks, endpoints, notifications, frames) is made
// on that core and paid from that core's memory (percpu/remote_invoke.hpp).
// At an L4Re-style boot the root task gets a capability to each, so the
// boot configuration's placement really places programs.
#pragma once

#include <stdint.h>

namespace atoll_os {

class CapSpace;
class Task;

// Every core: the message handlers.
void install_core_task_handlers();

// This core made its core task: work may come (the AP leaves its boot
// loop for the scheduler).
bool core_task_here();

// Core 0: every other core (up to rootslots::kMaxCoreTasks) makes its core
// task; the root task gets a capability to each in slot kCoreTasks + core,
// and to its own task for core 0. False (logged) if a core did not answer.
bool give_root_core_tasks(Task& root, uint32_t core_count);

} // namespace atoll_os
