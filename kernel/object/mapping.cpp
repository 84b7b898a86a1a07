// Mapping records: two intrusive lists, one per capability, one per task.
// Frames map into page tables, I/O ports into the task's I/O bitmap.
#include "kernel/object/mapping.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/io_port.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/task_io.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {

void unlink_from_task(Mapping* m)
{
    if (m->task_prev) m->task_prev->task_next = m->task_next;
    else m->task->mappings = m->task_next;
    if (m->task_next) m->task_next->task_prev = m->task_prev;
}

void unlink_from_cap(Mapping* m)
{
    if (!m->cap) return;
    if (m->cap_prev) m->cap_prev->cap_next = m->cap_next;
    else m->cap->mappings = m->cap_next;
    if (m->cap_next) m->cap_next->cap_prev = m->cap_prev;
}

Mapping* g_remote_mappings; // per core

void unlink_from_remote_list(Mapping* m)
{
    if (!m->remote) return;
    if (m->remote_prev) m->remote_prev->remote_next = m->remote_next;
    else g_remote_mappings = m->remote_next;
    if (m->remote_next) m->remote_next->remote_prev = m->remote_prev;
    m->remote = nullptr;
}

void link(Mapping* m, Capability* cap, KObject* held, Task& task)
{
    if (m->remote) {
        m->remote_next = g_remote_mappings;
        if (g_remote_mappings) g_remote_mappings->remote_prev = m;
        g_remote_mappings = m;
    }
    if (cap) {
        if (cap->mappings) cap->mappings->cap_prev = m;
        cap->mappings = m;
    } else {
        m->held = held;
        held->add_ref();
    }
    if (task.mappings) task.mappings->task_prev = m;
    task.mappings = m;
}

void free_record(Mapping* m)
{
    Quota& q = m->task->quota();
    KObject* held = m->held;
    this_core().heap.free(m);
    if (held) release_object(held); // may tell the frame's owner this core is done with it
    q.release(sizeof(Mapping)); // may free a dead task: last use of it
}

} // namespace

namespace {

Status map_physical(Capability* cap, KObject* held, uint64_t phys, uint64_t frame_bytes, Task& task, uint64_t va,
                    uint64_t first_page, uint64_t pages, MapFlags flags, KObject* remote)
{
    const uint64_t frame_pages = frame_bytes / kPageSize;
    if (task.dead()) return Status::kDead;
    if (first_page >= frame_pages) return Status::kInvalidArgument;
    if (pages == 0) pages = frame_pages - first_page;
    if (pages > frame_pages - first_page || va & (kPageSize - 1)) return Status::kInvalidArgument;
    const uint64_t bytes = pages * kPageSize;
    if (va >= sys::kUserLimit || bytes > sys::kUserLimit - va) return Status::kBadAddress;
    if (!task.quota().charge(sizeof(Mapping))) return Status::kQuotaExceeded;
    void* mem = this_core().heap.alloc(sizeof(Mapping));
    if (!mem) {
        task.quota().release(sizeof(Mapping));
        return Status::kNoMemory;
    }
    Status s = task.map_frames(va, phys + first_page * kPageSize, bytes, flags);
    if (!ok(s)) {
        this_core().heap.free(mem);
        task.quota().release(sizeof(Mapping));
        return s;
    }
    auto* m = new (mem)
        Mapping{cap, &task, va, bytes, cap ? cap->mappings : nullptr, nullptr, task.mappings, nullptr, remote};
    link(m, cap, held, task);
    return Status::kOk;
}

} // namespace

Status map_frame(Capability& cap, Frame& frame, Task& task, uint64_t va, uint64_t first_page, uint64_t pages,
                 MapFlags flags)
{
    return map_physical(&cap, nullptr, frame.phys(), frame.bytes(), task, va, first_page, pages, flags, nullptr);
}

Status map_frame_held(Frame& frame, Task& task, uint64_t va, uint64_t first_page, uint64_t pages, MapFlags flags)
{
    return map_physical(nullptr, &frame, frame.phys(), frame.bytes(), task, va, first_page, pages, flags, nullptr);
}

Status map_remote_frame(Capability* cap, KObject& remote, uint64_t phys, uint64_t frame_bytes, Task& task,
                        uint64_t va, uint64_t first_page, uint64_t pages, MapFlags flags)
{
    return map_physical(cap, cap ? nullptr : &remote, phys, frame_bytes, task, va, first_page, pages, flags, &remote);
}

void unmap_remote(KObject& remote)
{
    Mapping* m = g_remote_mappings;
    while (m) {
        Mapping* next = m->remote_next;
        if (m->remote == &remote) {
            unlink_from_remote_list(m);
            unlink_from_cap(m);
            unlink_from_task(m);
            m->task->unmap_frames(m->va, m->bytes);
            free_record(m);
        }
        m = next;
    }
}

Status map_io_ports(Capability& cap, IoPort& ports, Task& task)
{
    if (task.dead()) return Status::kDead;
    for (const Mapping* m = cap.mappings; m; m = m->cap_next)
        if (m->task == &task) return Status::kOk;
    if (!task.quota().charge(sizeof(Mapping))) return Status::kQuotaExceeded;
    void* mem = this_core().heap.alloc(sizeof(Mapping));
    Status s = mem ? reserve_io_bitmap(task, ports.last()) : Status::kNoMemory;
    if (!ok(s)) {
        this_core().heap.free(mem);
        task.quota().release(sizeof(Mapping));
        return s;
    }
    const uint64_t count = uint64_t(ports.last()) - ports.first() + 1;
    link(new (mem) Mapping{&cap, &task, kIoSpace | ports.first(), count, cap.mappings, nullptr, task.mappings,
                           nullptr},
         &cap, nullptr, task);
    rebuild_io_bitmap(task);
    return Status::kOk;
}

void move_mappings(Capability& from, Capability& to)
{
    to.mappings = from.mappings;
    from.mappings = nullptr;
    for (Mapping* m = to.mappings; m; m = m->cap_next) m->cap = &to;
}

void unmap_all(Capability& cap)
{
    while (Mapping* m = cap.mappings) {
        unlink_from_remote_list(m);
        unlink_from_cap(m);
        unlink_from_task(m);
        if (is_io_mapping(*m)) rebuild_io_bitmap(*m->task);
        else m->task->unmap_frames(m->va, m->bytes);
        free_record(m);
    }
}

void forget_mappings(Task& task)
{
    while (Mapping* m = task.mappings) {
        unlink_from_remote_list(m);
        unlink_from_cap(m);
        task.mappings = m->task_next;
        if (task.mappings) task.mappings->task_prev = nullptr;
        free_record(m);
    }
}

} // namespace atoll_os
