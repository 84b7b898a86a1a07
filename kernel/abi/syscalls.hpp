// System-call numbers and register conventions, shared by kernel and user.
//
// `syscall` with rax = number; arguments in rdi, rsi, rdx, r10, r8, r9
// (rcx and r11 are taken by the instruction). Returns rax = Status; calls
// that return values put them in rdx, r10, r8, r9. All other registers are
// preserved.
#pragma once

#include <stdint.h>

namespace atoll_os::sys {

enum Number : uint64_t {
    kDebugWrite = 0, // (const char* text, size_t len): one log line, prefixed with task and thread
    kThreadExit = 1, // (int64 code): ends the calling thread; never returns
    kYield = 2,      // (): give up the rest of this time slice
    kSleep = 3,      // (uint64 micros): block for at least that long
    // IPC: rdi = endpoint slot, rsi = flags (kernel/abi/utcb.hpp: don't
    // wait, length in words, pass a capability); message words 0-3 in rdx,
    // r10, r8, r9 both ways, the rest in the UTCB; the receiver gets the
    // badge in rsi and the info word (length, capability arrived) in rdi.
    kCall = 4,       // send and wait for the reply
    kSend = 5,       // send (waits for a receiver unless non-blocking)
    kReceive = 6,    // wait for a message; a call's sender now waits for our reply
    kReply = 7,      // answer the last call received
    kReplyReceive = 8, // answer, then receive: the server loop in one call
    // Objects and capabilities; rdi = a Task capability with the create right.
    kEndpointCreate = 9,  // (task, dest slot)
    kThreadCreate = 10,   // (task, entry, stack top, priority <= caller's, argument) -> rdx = thread id;
                          // the thread starts with rdi = its UTCB, rsi = argument
    kCapCopy = 11,        // (src slot, dest slot, rights mask, badge): rights only shrink
    kCapDelete = 12,      // (slot)
    // Notifications: rdi = notification slot.
    kNotificationCreate = 13, // (task, dest slot)
    kSignal = 14,             // (notification, bits): needs the send right
    kWait = 15,               // (notification) -> rdx = bits; blocks while none are pending
    kPoll = 16,               // (notification) -> rdx = bits, possibly 0
    kNotificationBind = 17,   // (notification): the caller's endpoint receives also end on a signal
    kCapRevoke = 18,          // (slot): removes every capability derived from it, in every task on this core
    // Faults and memory.
    kTaskSetFaultHandler = 19, // (task, endpoint): the task's faults arrive there as calls
    kMapAnonymous = 20,        // (task, address, bytes, flags: 1 writable, 2 executable): fresh zeroed memory
    // Replies kept for later: rdi = destination / reply slot.
    kReplySave = 21,           // (task, dest slot): moves the pending reply right into a new Reply object
    kReplyWith = 22,           // (reply slot, flags, 4 words): answers through it, once
    // Measurement.
    kNull = 23,                // (): does nothing; the cost of entering and leaving the kernel
    kTscFrequency = 24,        // () -> rdx = TSC ticks per second, as the boot core calibrated it
    // Frames: physical memory objects, mapped through capabilities.
    kFrameCreate = 25,  // (task, dest slot, bytes): zeroed, rounded up to 2^n pages, <= 4 MiB, paid by task
    kMap = 26,          // (task, frame, va, flags: 1 writable 2 executable, first page, pages or 0 = rest)
    kUnmap = 27,        // (frame): removes every mapping made through this capability
    kFrameInfo = 28,    // (frame) -> rdx = bytes, r10 = physical address
    // Tasks: creating and setting up others, and learning how they ended.
    kTaskCreate = 29,   // (task, dest slot, quota bytes, name, name length): a new empty task paid by task
    kCapGive = 30,      // (src slot, task, dest slot, rights mask, badge): a copy into that task's space
    kTaskWatch = 31,    // (task, notification, bits): signalled with bits when the task exits
    kTaskInfo = 32,     // (task) -> rdx = live threads, r10 = exit code, r8 = TaskState
    kLogWrite = 33,     // (log port, text, len): one line into the kernel log as given
    // Devices for user-level drivers (kernel/syscall/device_calls.cpp).
    kIrqCreate = 34,    // (task, dest slot, line: ISA IRQ 0-15 or GSI >= 16, notification, bits): core 0 only
    kIrqAck = 35,       // (irq): the driver is done with the last interrupt; unmasks the line
    kIoPortCreate = 36, // (task, dest slot, first port, last port): ports the kernel does not use itself
    kIoPortEnable = 37, // (ioport): the calling task may use those ports until the capability goes
    kCoreInfo = 38,     // () -> rdx = the core this thread runs on, r10 = cores in the machine,
                        //    r8 = kCounters* | counter width << 8 (RDPMC, kernel/arch/x86_64/perf_counters.hpp)
    kCapMove = 39,      // (src slot, dest slot): same capability, new slot; src empty after
    kTaskSpan = 40,     // (task of core B, dest slot, quota bytes, task of this core): a span of the latter on B,
                        // same address space, own capabilities and threads (percpu/span.hpp)
    kCount = 41
};

// Capability slots every task the kernel starts itself begins with.
inline constexpr uint64_t kSlotSelf = 0;          // its own Task, all rights
inline constexpr uint64_t kSlotBootEndpoint = 1;  // an endpoint shared by all first tasks (core 0's)
// First tasks on a machine where they run on several cores: slot
// kSlotCoreEndpoints + c is core c's endpoint (a remote capability unless
// c is the task's own core), for every core with first tasks, c < 64.
inline constexpr uint64_t kSlotCoreEndpoints = 16;
inline constexpr uint64_t kMaxCoreEndpoints = 64;

// The badge a receive reports when it was ended by the caller's bound
// notification (rdx then holds the bits). No capability may carry it.
inline constexpr uint64_t kNotificationBadge = ~0ull;

// A fault message (rdi info has kFaultMessage): words are address, ip,
// vector | error code << 8, thread id. The handler's reply word 0 says what
// happens: kFaultResume (word 1: a new ip, or 0 to retry the same one) or
// kFaultKill.
inline constexpr uint64_t kFaultMessage = 1ull << 17;
inline constexpr uint64_t kFaultKill = 0;
inline constexpr uint64_t kFaultResume = 1;

// kTaskInfo's r8.
enum TaskState : uint64_t { kTaskRunning = 0, kTaskExited = 1, kTaskKilled = 2 };

inline constexpr uint64_t kMaxTaskQuota = 1ull << 30;

inline constexpr uint64_t kUserLimit = 0x0000800000000000ull; // first non-user address
inline constexpr uint64_t kMaxDebugWrite = 160;

// kCoreInfo's r8, low byte: which performance counters user mode may read
// with RDPMC. Both count instructions retired and core cycles (unhalted), in
// kernel and user mode, on the reading core only.
inline constexpr uint64_t kCountersNone = 0;
inline constexpr uint64_t kCountersIntelFixed = 1; // RDPMC ecx (1 << 30) | 0: instructions; | 1: cycles
inline constexpr uint64_t kCountersAmdCore = 2;    // RDPMC ecx 0: instructions; 1: cycles

} // namespace atoll_os::sys
