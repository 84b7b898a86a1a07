// This core's scheduler: 256 fixed priorities, round robin within a level,
// preemption from the core's own timer, an idle loop that halts. It never
// sees another core's threads.
#pragma once

#include <stdint.h>

namespace atoll_os {

class Thread;
class Task;

class Scheduler {
public:
    static constexpr unsigned kLevels = 256;
    static constexpr uint32_t kSliceTicks = 2;

    // Called when the last thread of a task has exited, after the task is gone.
    using TaskExitHook = void (*)(const char* task_name, int64_t code);
    void set_task_exit_hook(TaskExitHook hook) { task_exit_hook_ = hook; }

    Thread* current() const { return current_; }
    void make_ready(Thread* t);
    void on_tick();                       // timer interrupt: slices and sleepers
    void yield_current();
    void sleep_current(uint64_t micros);
    void exit_current(int64_t code);      // the thread object is freed
    // Kills the running thread for a fault it took in user mode.
    void kill_current(const char* what, uint64_t ip, uint64_t address);
    // Kills a thread blocked waiting for a reply (its fault handler said so).
    void kill_blocked(Thread* t, const char* why);

    // The running thread stops (blocked on IPC); it is in no queue until
    // whoever it waits for makes it ready.
    void block_current() { current_ = nullptr; }
    // Runs `next` now if nothing ready outranks it (IPC's direct switch),
    // else queues it and lets the scheduler choose.
    [[noreturn]] void hand_over(Thread* next);

    // Back to user mode: the current thread if it may keep running, else
    // the best ready one, idling (and serving channels) until one exists.
    [[noreturn]] void resume();

private:
    [[noreturn]] void switch_to(Thread* next);
    Thread* take_highest();
    unsigned highest_ready_priority() const; // 0 when nothing is ready
    void remove_ready(Thread* t);
    void wake_sleepers();
    void idle();
    // Frees a thread that is running or blocked (in no queue), and its task
    // with its last thread.
    void release_thread(Thread* t, int64_t code);

    Thread* head_[kLevels] = {};
    Thread* tail_[kLevels] = {};
    uint64_t nonempty_[kLevels / 64] = {};
    uint32_t nonempty_words_ = 0; // bit w: nonempty_[w] != 0
    Thread* current_ = nullptr;
    Thread* fpu_owner_ = nullptr;         // whose FPU state the registers hold
    Thread* running_ = nullptr;           // whose CR3, TSS.rsp0 and frame pointer are loaded
    uint64_t loaded_cr3_ = 0;
    Thread* sleepers_ = nullptr;          // sorted by wake time
    bool need_resched_ = false;
    TaskExitHook task_exit_hook_ = nullptr;
};

Scheduler& scheduler();

} // namespace atoll_os
