// IPC and object system calls for user programs.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/abi/utcb.hpp"
#include "kernel/cap/rights.hpp"

namespace atoll_os::user {

struct Message {
    uint64_t w[4];
};
inline constexpr uint64_t kNonBlocking = ipcflags::kNonBlocking;

// The main thread's UTCB (set at start-up); other threads get theirs as
// their entry function's argument.
extern Utcb* main_utcb;

// One system call with the IPC register convention; `m` is sent and
// replaced by what comes back, `badge` receives rsi.
inline Status ipc_syscall(uint64_t number, uint64_t slot, uint64_t flags, Message& m, uint64_t* badge = nullptr,
                          uint64_t* info = nullptr)
{
    register uint64_t r10 asm("r10") = m.w[1];
    register uint64_t r8 asm("r8") = m.w[2];
    register uint64_t r9 asm("r9") = m.w[3];
    uint64_t rax = number, rsi = flags, rdx = m.w[0], rdi = slot;
    asm volatile("syscall"
                 : "+a"(rax), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+D"(rdi)
                 :
                 : "rcx", "r11", "memory");
    m.w[0] = rdx, m.w[1] = r10, m.w[2] = r8, m.w[3] = r9;
    if (badge) *badge = rsi;
    if (info) *info = rdi;
    return Status(rax);
}

inline Status call(uint64_t slot, Message& m, uint64_t flags = 0) { return ipc_syscall(sys::kCall, slot, flags, m); }
inline Status send(uint64_t slot, Message m, uint64_t flags = 0) { return ipc_syscall(sys::kSend, slot, flags, m); }
inline Status receive(uint64_t slot, Message& m, uint64_t& badge, uint64_t flags = 0)
{
    return ipc_syscall(sys::kReceive, slot, flags, m, &badge);
}
inline Status reply(Message m) { return ipc_syscall(sys::kReply, 0, 0, m); }
inline Status reply_receive(uint64_t slot, Message& m, uint64_t& badge, uint64_t flags = 0)
{
    return ipc_syscall(sys::kReplyReceive, slot, flags, m, &badge);
}

inline Status endpoint_create(uint64_t task_slot, uint64_t dest)
{
    Message m{};
    return ipc_syscall(sys::kEndpointCreate, task_slot, dest, m);
}
// The new thread enters `entry` as if called: the ABI wants rsp = 8 mod 16
// at a function's first instruction, so a null return address is pushed
// onto the (16-byte aligned) stack first.
inline Status thread_create(uint64_t task_slot, void (*entry)(Utcb*), void* stack_top, uint64_t priority,
                            uint64_t* id = nullptr)
{
    auto* sp = reinterpret_cast<uint64_t*>(reinterpret_cast<uint64_t>(stack_top) & ~uint64_t(15));
    *--sp = 0;
    Message m{{reinterpret_cast<uint64_t>(sp), priority, 0, 0}};
    Status s = ipc_syscall(sys::kThreadCreate, task_slot, reinterpret_cast<uint64_t>(entry), m);
    if (id) *id = m.w[0];
    return s;
}
inline Status cap_copy(uint64_t from, uint64_t to, uint32_t rights_mask, uint64_t badge = 0)
{
    Message m{{rights_mask, badge, 0, 0}};
    return ipc_syscall(sys::kCapCopy, from, to, m);
}
inline Status cap_move(uint64_t from, uint64_t to)
{
    Message m{};
    return ipc_syscall(sys::kCapMove, from, to, m);
}
inline Status cap_delete(uint64_t slot)
{
    Message m{};
    return ipc_syscall(sys::kCapDelete, slot, 0, m);
}
inline Status cap_revoke(uint64_t slot)
{
    Message m{};
    return ipc_syscall(sys::kCapRevoke, slot, 0, m);
}

inline Status notification_create(uint64_t task_slot, uint64_t dest)
{
    Message m{};
    return ipc_syscall(sys::kNotificationCreate, task_slot, dest, m);
}
inline Status signal(uint64_t slot, uint64_t bits)
{
    Message m{};
    return ipc_syscall(sys::kSignal, slot, bits, m);
}
// Blocks until at least one bit is pending; takes them all.
inline Status wait(uint64_t slot, uint64_t& bits)
{
    Message m{};
    Status s = ipc_syscall(sys::kWait, slot, 0, m);
    bits = m.w[0];
    return s;
}
inline Status poll(uint64_t slot, uint64_t& bits)
{
    Message m{};
    Status s = ipc_syscall(sys::kPoll, slot, 0, m);
    bits = m.w[0];
    return s;
}
inline Status notification_bind(uint64_t slot)
{
    Message m{};
    return ipc_syscall(sys::kNotificationBind, slot, 0, m);
}

inline Status task_set_fault_handler(uint64_t task_slot, uint64_t endpoint_slot)
{
    Message m{};
    return ipc_syscall(sys::kTaskSetFaultHandler, task_slot, endpoint_slot, m);
}
inline constexpr uint64_t kMapWrite = 1, kMapExecute = 2;
inline Status map_anonymous(uint64_t task_slot, uint64_t address, uint64_t bytes, uint64_t flags)
{
    Message m{{bytes, flags, 0, 0}};
    return ipc_syscall(sys::kMapAnonymous, task_slot, address, m);
}

// Keeps the reply owed to the last caller in a Reply capability at `dest`.
inline Status reply_save(uint64_t task_slot, uint64_t dest)
{
    Message m{};
    return ipc_syscall(sys::kReplySave, task_slot, dest, m);
}
// Answers through a saved Reply capability (once).
inline Status reply_with(uint64_t reply_slot, Message m, uint64_t flags = 0)
{
    return ipc_syscall(sys::kReplyWith, reply_slot, flags, m);
}

} // namespace atoll_os::user
