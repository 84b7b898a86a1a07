// ELF image -> task with its segments, a stack and a first thread.
#include "kernel/object/elf_task.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/thread.hpp"
#include "percpu/log_diag.hpp"
#include "runtime/lib/elf.hpp"

namespace atoll_os {

Status start_elf_task(const uint8_t* image, size_t size, const char* name, uint8_t priority, uint64_t quota_bytes,
                      Thread*& thread_out)
{
    LogDiag diag("loader");
    elf::Plan plan;
    if (!elf::plan_load(image, size, sys::kUserLimit, plan, diag)) {
        klog("loader: %s is not a loadable Atoll program", name);
        return Status::kInvalidArgument;
    }
    Status s;
    Quota& payer = this_core().boot_quota;
    Task* task = Task::create(payer, name, quota_bytes, s);
    if (!task) return s;
    for (uint32_t i = 0; i < plan.segment_count && ok(s); ++i) {
        const elf::Segment& seg = plan.segments[i];
        uint64_t base = align_down(seg.vaddr), end = align_up(seg.vaddr + seg.memsz);
        s = task->map_anonymous(base, end - base, MapFlags{.write = seg.write, .execute = seg.execute});
        if (ok(s)) s = task->write_bytes(seg.vaddr, image + seg.file_offset, seg.filesz);
        if (!ok(s)) klog("loader: %s: segment %u at %#lx: %s", name, i, seg.vaddr, status_message(s));
    }
    if (ok(s)) s = task->map_anonymous(kUserStackTop - kUserStackSize, kUserStackSize, MapFlags{.write = true});
    Thread* t = ok(s) ? Thread::create(*task, plan.entry, kUserStackTop, priority, "main", s) : nullptr;
    if (!t) {
        klog("loader: %s: %s", name, status_message(s));
        task->exit(-1);
        return s;
    }
    thread_out = t;
    return Status::kOk;
}

} // namespace atoll_os
