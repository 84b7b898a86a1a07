// Priority round-robin scheduling of this core's threads.
#include "kernel/sched/scheduler.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fpu.hpp"
#include "kernel/arch/x86_64/io_bitmap.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/log.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/pcid.hpp"
#include "percpu/remote_ipc.hpp"
#include "kernel/time.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"

extern "C" [[noreturn]] void return_to_user(atoll_os::InterruptFrame* frame);

namespace atoll_os {
namespace {
Scheduler g_scheduler;
} // namespace

Scheduler& scheduler() { return g_scheduler; }

void Scheduler::make_ready(Thread* t)
{
    if (t->proxy) [[unlikely]]
        return remote_proxy_done(t); // it stands for another core's thread: the answer goes there
    unsigned p = t->priority;
    t->state = Thread::State::kReady;
    t->queue_next = nullptr;
    t->queue_prev = tail_[p];
    if (tail_[p]) tail_[p]->queue_next = t;
    else head_[p] = t;
    tail_[p] = t;
    nonempty_[p / 64] |= 1ull << (p % 64);
    nonempty_words_ |= 1u << (p / 64);
    if (current_ && p > current_->priority) need_resched_ = true;
}

void Scheduler::remove_ready(Thread* t)
{
    unsigned p = t->priority;
    if (t->queue_prev) t->queue_prev->queue_next = t->queue_next;
    else head_[p] = t->queue_next;
    if (t->queue_next) t->queue_next->queue_prev = t->queue_prev;
    else tail_[p] = t->queue_prev;
    if (!head_[p]) {
        nonempty_[p / 64] &= ~(1ull << (p % 64));
        if (!nonempty_[p / 64]) nonempty_words_ &= ~(1u << (p / 64));
    }
    t->queue_next = t->queue_prev = nullptr;
}

Thread* Scheduler::take_highest()
{
    if (!nonempty_words_) return nullptr;
    Thread* t = head_[highest_ready_priority()];
    remove_ready(t);
    return t;
}

// Two bit scans, no loop: it runs on every IPC hand-over.
unsigned Scheduler::highest_ready_priority() const
{
    if (!nonempty_words_) return 0;
    const unsigned word = 31 - unsigned(__builtin_clz(nonempty_words_));
    return word * 64 + 63 - unsigned(__builtin_clzll(nonempty_[word]));
}

void Scheduler::hand_over(Thread* next)
{
    if (current_) make_ready(current_), current_ = nullptr; // a sender that keeps running after send
    if (next->priority >= highest_ready_priority()) switch_to(next); // never a proxy: IPC checks
    make_ready(next);
    resume();
}

void Scheduler::wake_sleepers()
{
    uint64_t now = cpu::rdtsc();
    while (sleepers_ && sleepers_->wake_tsc <= now) {
        Thread* t = sleepers_;
        sleepers_ = t->queue_next;
        make_ready(t);
    }
}

void Scheduler::on_tick()
{
    wake_sleepers();
    if (current_ && current_->slice_left && --current_->slice_left == 0) need_resched_ = true;
}

void Scheduler::yield_current()
{
    current_->slice_left = 0;
    need_resched_ = true;
}

void Scheduler::sleep_current(uint64_t micros)
{
    Thread* t = current_;
    t->state = Thread::State::kSleeping;
    t->wake_tsc = cpu::rdtsc() + micros_to_tsc(micros);
    Thread** link = &sleepers_;
    while (*link && (*link)->wake_tsc <= t->wake_tsc) link = &(*link)->queue_next;
    t->queue_next = *link;
    *link = t;
    current_ = nullptr; // registers saved in its frame; its FPU state stays loaded until someone else runs
}

void Scheduler::release_thread(Thread* t, int64_t code)
{
    Task* task = t->task;
    if (t == current_) current_ = nullptr;
    if (t == running_) running_ = nullptr; // a new thread may reuse its address
    if (fpu_owner_ == t) fpu_owner_ = nullptr; // its save area is about to be freed
    ipc_abandon_reply(t);
    t->state = Thread::State::kDead;
    t->destroy();
    if (task->live_threads == 0) {
        char name[Task::kNameMax];
        __builtin_memcpy(name, task->name(), sizeof name);
        bool report = task->kernel_started;
        // Leave the task's address space before freeing it. Only if it is
        // the loaded one: a thread killed on another's behalf (its pager
        // said so) dies while the pager's address space is loaded, and the
        // pager returns to user mode on the fast path without reloading.
        if (loaded_cr3_ == task->pml4_phys()) {
            loaded_cr3_ = this_core().pml4_phys;
            cpu::write_cr3(loaded_cr3_);
        }
        task->exit(code); // may free the Task: nothing of it is used below
        if (report && task_exit_hook_) task_exit_hook_(name, code);
    }
}

void Scheduler::exit_current(int64_t code) { release_thread(current_, code); }

void Scheduler::kill_blocked(Thread* t, const char* why)
{
    klog("task %s thread %s (%u) killed: %s", t->task->name(), t->name, t->id, why);
    t->task->killed = t->task->live_threads == 1; // how it ended: its last thread was killed
    release_thread(t, -1);
}

void Scheduler::kill_current(const char* what, uint64_t ip, uint64_t address)
{
    Thread* t = current_;
    klog("task %s thread %s (%u) killed: %s at ip %#lx, address %#lx", t->task->name(), t->name, t->id, what, ip,
         address);
    t->task->killed = t->task->live_threads == 1;
    release_thread(current_, -1);
}

void Scheduler::switch_to(Thread* next)
{
    // FPU state moves only when another thread's is in the registers.
    if (fpu_owner_ != next) {
        if (fpu_owner_) fpu_save(fpu_owner_->fpu);
        fpu_restore(next->fpu);
        fpu_owner_ = next;
    }
    if (loaded_cr3_ != next->task->pml4_phys()) {
        // I/O ports go with the address space; between tasks without any
        // this is one compare (io_bitmap.hpp). Read before the CR3 write,
        // whose memory clobber would make the compiler load it again.
        const IoBitmap* io = next->task->io_bitmap;
        loaded_cr3_ = next->task->pml4_phys();
        cpu::write_cr3(pcid_enabled() ? cr3_with_pcid(*next->task) : loaded_cr3_);
        if (io != loaded_io_bitmap()) load_io_bitmap(io);
    }
    current_ = next;
    next->state = Thread::State::kRunning;
    if (next->slice_left == 0) next->slice_left = kSliceTicks;
    need_resched_ = false;
    running_ = next;
    Kcb& k = this_core();
    uint64_t end = next->frame_end();
    __builtin_memcpy(k.tss_rsp0, &end, sizeof end); // one unaligned store
    k.current_ctx_end = end;
    return_to_user(&next->frame);
}

void Scheduler::resume()
{
    // The common case: back to the thread that entered, whose address
    // space, entry stack and FPU state are all still loaded.
    if (current_ && !need_resched_ && current_ == running_ && current_ == fpu_owner_)
        return_to_user(&current_->frame);
    if (current_ && !need_resched_) switch_to(current_);
    if (current_) {
        // Preempted (slice used up, or a higher priority became ready):
        // back of its level; picked again at once if it is still the best.
        Thread* t = current_;
        current_ = nullptr;
        make_ready(t);
    }
    for (;;) {
        cpu::cli();
        wake_sleepers();
        if (Thread* next = take_highest()) switch_to(next);
        idle();
    }
}

// Nothing to run: serve the channels, spin on them briefly (a cross-core
// reply usually comes within microseconds, and a halted core needs an IPI
// to wake), then halt until a doorbell or a tick. Kept out of resume() so
// the switch path stays lean.
[[gnu::noinline]] void Scheduler::idle()
{
    cpu::sti();
    Messenger& m = messenger();
    const uint64_t start = cpu::rdtsc();
    while (cpu::rdtsc() - start < Messenger::spin_before_idle_tsc()) {
        if (m.poll()) return;
        cpu::pause();
    }
    cpu::cli();
    if (!sleepers_ || sleepers_->wake_tsc > cpu::rdtsc()) m.idle_until_doorbell();
    else cpu::sti();
}

} // namespace atoll_os
