// The tasks the kernel starts itself, on the boot core, from the boot
// modules named by `init=a,b,...`. (This is the root task's job once it
// exists; until then it is how user programs reach the machine.)
#pragma once

namespace atoll_os {

// Maps the boot modules into this core's physmap, read-only (boot data,
// like the kernel's text: every core may read it, none writes it).
void map_boot_modules();

// Every core: core 0 may place first tasks here ("init=name@core").
void install_first_task_handlers();
// This core runs first tasks that have not all ended.
bool first_tasks_here();
// Core 0 has started asking this core for first-task work: from here on
// its memory must come back (the self-check's baseline).
void first_task_work_begins();

// Starts every named module as a task and runs them ("name@N": on core N,
// with a remote capability to the boot endpoint); when the last one has
// exited the machine shuts down with 0 if every task exited with 0 and
// every core's self-check passed.
[[noreturn]] void run_first_tasks(const char* init_list);

// This core's memory is back to its baseline (first_task_work_begins):
// frames, heap and quotas; logs the difference if not.
bool self_check_here();

// The L4Re-style boot: boot modules named sigma0 and root exist.
bool has_root_modules();
// Starts sigma0 (the root pager, owning the memory user space may use) and
// the root task (which reads its configuration and starts the rest); shuts
// the machine down when both have exited.
[[noreturn]] void run_sigma0_and_root();

} // namespace atoll_os
