// Device system calls for user-level drivers: interrupt lines delivered to
// notifications, and I/O ports.
#pragma once

#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::user {

// An Irq in slot `dest` for `line` (ISA IRQ 0-15, or a GSI from 16 on):
// each interrupt signals `bits` on the notification and masks the line
// until irq_ack. Only on core 0; paid from `task_slot`'s quota.
inline Status irq_create(uint64_t task_slot, uint64_t dest, uint64_t line, uint64_t notification_slot,
                         uint64_t bits)
{
    Message m{{line, notification_slot, bits, 0}};
    return ipc_syscall(sys::kIrqCreate, task_slot, dest, m);
}
// Done with the last interrupt (the device is quiet again): unmask the line.
inline Status irq_ack(uint64_t irq_slot)
{
    Message m{};
    return ipc_syscall(sys::kIrqAck, irq_slot, 0, m);
}
// An IoPort for ports [first, last] in slot `dest`; needs `task_slot`'s
// create right, and ports the kernel uses are refused.
inline Status io_port_create(uint64_t task_slot, uint64_t dest, uint64_t first, uint64_t last)
{
    Message m{{first, last, 0, 0}};
    return ipc_syscall(sys::kIoPortCreate, task_slot, dest, m);
}
// Lets this task's threads use the IoPort's ports until that capability goes.
inline Status io_port_enable(uint64_t port_slot)
{
    Message m{};
    return ipc_syscall(sys::kIoPortEnable, port_slot, 0, m);
}

inline uint8_t port_in8(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline void port_out8(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }

} // namespace atoll_os::user
