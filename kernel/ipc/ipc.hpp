// Synchronous IPC on one core. A message is four words in registers
// (rdx, r10, r8, r9 in the sender's frame) plus the badge of the capability
// it was sent through, delivered in rsi. Each operation leaves its result in
// the calling thread's frame and decides who runs next: on call and reply
// the CPU goes straight to the partner when priorities allow, without
// passing through the ready queues.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

class Thread;
class Endpoint;
class Reply;

// flags: kernel/abi/utcb.hpp (ipcflags).
void ipc_call(Thread* self, uint64_t slot, uint64_t flags);
void ipc_send(Thread* self, uint64_t slot, uint64_t flags);
void ipc_receive(Thread* self, uint64_t slot, uint64_t flags);
void ipc_reply(Thread* self);
void ipc_reply_receive(Thread* self, uint64_t slot, uint64_t flags);

// The running thread's fault becomes a call to its task's fault handler;
// false if there is none (the caller then kills the thread).
bool ipc_send_fault(Thread* self, uint64_t vector, uint64_t error, uint64_t address);

// Moves the reply right the running thread holds into `reply`.
Status ipc_save_reply(Thread* self, Reply* reply);
// Answers through a saved reply (one shot).
void ipc_reply_with(Thread* self, uint64_t slot);

// A thread that owes a reply is going away: its caller learns kDead.
void ipc_abandon_reply(Thread* self);
// Nobody will answer `caller` (its server or pager went, or a saved reply
// was deleted): a call ends with kDead, a faulting thread dies.
void ipc_no_answer(Thread* caller);

// A call or send from another core arrived for `ep`: `proxy` (message in
// its frame and UTCB) meets a waiting receiver or queues like a local
// sender. Its outcome reaches remote_proxy_done through make_ready.
void ipc_remote_arrived(Thread* proxy, Endpoint* ep, uint64_t badge, bool waits, bool nonblocking);

} // namespace atoll_os
