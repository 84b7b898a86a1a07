// Kcb: the kernel control block, everything one core's kernel instance owns.
// It lives in .bss, and .bss is private to each core (each core's page tables
// map the kernel's data range onto its own copy), so there is exactly one
// Kcb per instance at the same address everywhere. GS points at it so
// assembly (and, later, SYSCALL entry) can find it with one load.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/heap.hpp"
#include "kernel/object/quota.hpp"

namespace atoll_os {

class Messenger;
struct ExceptionProbe {
    uint8_t vector;         // armed vector, 0xff when idle
    uint64_t resume_ip;     // where to continue after it fires
    uint32_t hits;
};

class Thread;
class Scheduler;

struct Kcb {
    // Read by assembly (offsets checked below).
    Kcb* self;              // gs:0, read by this_core()
    uint32_t core;          // Atoll core number (0 = boot core)
    uint32_t apic_id;
    uint64_t kernel_stack_top;   // where kernel entries from user mode run
    uint64_t user_rsp_scratch;   // user rsp while syscall entry saves state
    uint64_t current_ctx_end;    // end of the running thread's saved-register frame

    uint64_t pml4_phys;     // this instance's own address space (kernel half of every task)
    void* tss_rsp0;         // this core's TSS.rsp0 (unaligned: the TSS is packed), written on every switch
    volatile uint64_t ticks;
    uint64_t timer_period_ticks;  // APIC timer initial count, or TSC delta in deadline mode
    uint32_t timer_hz;

    mem::FrameAllocator frames;
    mem::KernelHeap heap;
    Quota boot_quota;       // pays for what the kernel creates itself (the first task)
    Messenger* messenger;
    Scheduler* scheduler;
    ExceptionProbe probe;
    bool online;
};

// Assembly (syscall_entry.S, interrupt_entry.S) uses these offsets.
inline constexpr size_t kKcbSelfOffset = 0;
static_assert(offsetof(Kcb, self) == kKcbSelfOffset, "assembly reads gs:0");
static_assert(offsetof(Kcb, kernel_stack_top) == 16, "KCB_KERNEL_STACK in assembly");
static_assert(offsetof(Kcb, user_rsp_scratch) == 24, "KCB_USER_RSP in assembly");
static_assert(offsetof(Kcb, current_ctx_end) == 32, "KCB_CTX_END in assembly");

// The current core's control block, through GS.
inline Kcb& this_core()
{
    Kcb* k;
    asm("mov %%gs:0, %0" : "=r"(k));
    return *k;
}

// Points GS at this instance's Kcb; each core calls it once, first thing.
void install_kcb(uint32_t core, uint32_t apic_id);

} // namespace atoll_os
