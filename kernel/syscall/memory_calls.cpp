// Frame and mapping system calls.
#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/syscall/object_calls.hpp"

namespace atoll_os {

Status sys_frame_create(Thread* self, uint64_t task_slot, uint64_t dest, uint64_t bytes)
{
    Task* task;
    Status s = self->task->caps().lookup(task_slot, rights::kCreate, task);
    if (!ok(s)) return s;
    if (task->dead()) return Status::kDead;
    if (dest >= CapSpace::kSlots) return Status::kInvalidCapability;
    Frame* frame = Frame::create(task->quota(), bytes, s);
    if (!frame) return s;
    s = self->task->caps().install(
        dest, frame, rights::kRead | rights::kWrite | rights::kExecute | rights::kGrant, 0);
    if (!ok(s)) frame->destroy();
    return s;
}

Status sys_map(Thread* self, const InterruptFrame& f)
{
    const uint64_t flags = f.r10;
    if (flags & ~uint64_t(3) || flags == 3) return Status::kInvalidArgument; // never writable and executable
    const bool write = flags & 1, execute = flags & 2;
    const uint32_t needed = rights::kRead | (write ? rights::kWrite : 0) | (execute ? rights::kExecute : 0);
    Task* task;
    Frame* frame;
    CapSpace& caps = self->task->caps();
    Status s = caps.lookup(f.rdi, rights::kCreate, task);
    if (ok(s)) s = caps.lookup(f.rsi, needed, frame);
    const MapFlags map_flags{.write = write, .execute = execute};
    if (s == Status::kWrongType) { // a frame another core owns: shared user memory
        RemoteRef* ref;
        s = caps.lookup(f.rsi, needed, ref);
        if (!ok(s)) return s;
        if (ref->remote_type() != ObjectType::kFrame || !ref->frame_bytes) return Status::kWrongType;
        if (ref->revoked) return Status::kDead;
        return map_remote_frame(&caps.at(f.rsi), *ref, ref->frame_phys, ref->frame_bytes, *task, f.rdx, f.r8, f.r9,
                                map_flags);
    }
    if (!ok(s)) return s;
    return map_frame(caps.at(f.rsi), *frame, *task, f.rdx, f.r8, f.r9, map_flags);
}

Status sys_unmap(Thread* self, uint64_t frame_slot)
{
    Frame* frame;
    Status s = self->task->caps().lookup(frame_slot, 0, frame);
    if (s == Status::kWrongType) { // a frame another core owns: its mappings here are recorded the same way
        RemoteRef* ref;
        s = self->task->caps().lookup(frame_slot, 0, ref);
        if (ok(s) && (ref->remote_type() != ObjectType::kFrame || !ref->frame_bytes)) s = Status::kWrongType;
    }
    if (ok(s)) unmap_all(self->task->caps().at(frame_slot));
    return s;
}

Status sys_frame_info(Thread* self, uint64_t frame_slot)
{
    Frame* frame;
    Status s = self->task->caps().lookup(frame_slot, 0, frame);
    if (ok(s)) {
        self->frame.rdx = frame->bytes();
        self->frame.r10 = frame->phys(); // where it is: which node's memory, and for device drivers
    }
    if (s != Status::kWrongType) return s;
    RemoteRef* ref; // a frame another core owns
    s = self->task->caps().lookup(frame_slot, 0, ref);
    if (ok(s) && (ref->remote_type() != ObjectType::kFrame || !ref->frame_bytes)) s = Status::kWrongType;
    if (ok(s)) {
        self->frame.rdx = ref->frame_bytes;
        self->frame.r10 = ref->frame_phys;
    }
    return s;
}

} // namespace atoll_os
