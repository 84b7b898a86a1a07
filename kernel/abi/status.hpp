// The one status enum at Atoll's system-call ABI. Every syscall returns one
// of these in rax; status_message() gives each a sentence. Shared verbatim
// by the kernel and user space.
#pragma once

#include <stdint.h>

namespace atoll_os {

enum class Status : int64_t {
    kOk = 0,
    kNoSuchCall,        // unknown syscall number
    kInvalidCapability, // slot out of range or empty
    kWrongType,         // the capability names another kind of object
    kNoRights,          // the capability lacks a right the operation needs
    kInvalidArgument,   // an argument is out of range or inconsistent
    kBadAddress,        // a user pointer/length is outside user space or unmapped
    kNoMemory,          // the core has no memory left for this
    kQuotaExceeded,     // the caller's kernel-memory quota is used up
    kWouldBlock,        // a zero-timeout operation found no partner
    kTimeout,           // the timeout expired
    kSlotOccupied,      // the destination capability slot is not empty
    kDead,              // the partner thread or object is gone
    kAddressInUse,      // part of the virtual range is mapped already
    kInUse,             // the device resource (interrupt line, I/O port) is taken by the kernel or another object
    kWrongCore,         // this core cannot do that (device interrupts: only core 0 owns the I/O APIC)
    kCount
};

const char* status_message(Status s);
inline bool ok(Status s) { return s == Status::kOk; }

} // namespace atoll_os
