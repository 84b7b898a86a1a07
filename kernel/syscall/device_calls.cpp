// System calls for user-level drivers: interrupt lines and I/O ports.
#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/object/io_port.hpp"
#include "kernel/object/irq.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/syscall/object_calls.hpp"

namespace atoll_os {

// rdi task, rsi dest slot, rdx line, r10 notification, r8 bits.
Status sys_irq_create(Thread* self, const InterruptFrame& f)
{
    Task* task;
    Notification* target;
    CapSpace& caps = self->task->caps();
    Status s = caps.lookup(f.rdi, rights::kCreate, task);
    if (ok(s)) s = caps.lookup(f.r10, rights::kSend, target); // the Irq signals through it
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    if (f.rsi >= CapSpace::kSlots) return Status::kInvalidCapability;
    Irq* irq = Irq::create(task->quota(), f.rdx, *target, f.r8, s);
    if (!irq) return s;
    s = caps.install(f.rsi, irq, rights::kReceive | rights::kGrant, 0);
    if (!ok(s)) {
        irq->destroy();
        return s;
    }
    irq->unmask(); // bound to its notification and held: it may fire now
    return Status::kOk;
}

Status sys_irq_ack(Thread* self, uint64_t irq_slot)
{
    Irq* irq;
    Status s = self->task->caps().lookup(irq_slot, rights::kReceive, irq);
    if (ok(s)) irq->unmask();
    return s;
}

// rdi task, rsi dest slot, rdx first port, r10 last port.
Status sys_io_port_create(Thread* self, const InterruptFrame& f)
{
    // For now the create right on a task stands for "may drive hardware";
    // a right of its own can narrow that once the root task hands it out.
    Task* task;
    Status s = self->task->caps().lookup(f.rdi, rights::kCreate, task);
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    if (f.rsi >= CapSpace::kSlots) return Status::kInvalidCapability;
    IoPort* ports = IoPort::create(task->quota(), f.rdx, f.r10, s);
    if (!ports) return s;
    s = self->task->caps().install(f.rsi, ports, rights::kRead | rights::kWrite | rights::kGrant, 0);
    if (!ok(s)) ports->destroy();
    return s;
}

Status sys_io_port_enable(Thread* self, uint64_t port_slot)
{
    // The CPU's bitmap allows a port for in and out alike, so both rights.
    IoPort* ports;
    CapSpace& caps = self->task->caps();
    Status s = caps.lookup(port_slot, rights::kRead | rights::kWrite, ports);
    if (!ok(s)) return s;
    return map_io_ports(caps.at(port_slot), *ports, *self->task);
}

} // namespace atoll_os
