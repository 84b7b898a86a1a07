// Thread creation and teardown.
#include "kernel/object/thread.hpp"

#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fpu.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/task.hpp"
#include "kernel/abi/utcb.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {
uint32_t g_next_thread_id = 1; // per core; (core, id) names a thread
} // namespace

Thread::Thread(Task& owner, uint8_t prio, const char* thread_name)
    : KObject(ObjectType::kThread), frame{}, task(&owner), priority(prio), id(g_next_thread_id++)
{
    size_t i = 0;
    for (; thread_name[i] && i + 1 < kNameMax; ++i) name[i] = thread_name[i];
    name[i] = '\0';
}

Thread* Thread::create(Task& task, uint64_t entry, uint64_t stack_top, uint8_t priority, const char* name,
                       Status& status)
{
    Quota& q = task.quota();
    size_t fpu_bytes = fpu_area_size();
    if (!q.charge(fpu_bytes)) {
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    void* fpu = this_core().heap.alloc(fpu_bytes, 64);
    if (!fpu) {
        q.release(fpu_bytes);
        status = Status::kNoMemory;
        return nullptr;
    }
    Thread* t = create_object<Thread>(q, status, task, priority, name);
    if (!t) {
        this_core().heap.free(fpu);
        q.release(fpu_bytes);
        return nullptr;
    }
    task.live_threads++; // from here on destroy() undoes everything
    fpu_init_area(fpu);
    t->fpu = fpu;
    // The UTCB page: long messages and capability transfers. Its address is
    // the thread's first argument.
    t->utcb_va = kUtcbArea + uint64_t(t->id) * kPageSize;
    status = task.map_anonymous(t->utcb_va, kPageSize, MapFlags{.write = true});
    if (!ok(status)) {
        t->utcb_va = 0;
        t->destroy();
        return nullptr;
    }
    t->utcb_phys = task.frame_of(t->utcb_va);
    t->frame.rdi = t->utcb_va;
    t->frame.rip = entry;
    t->frame.rsp = stack_top;
    t->frame.cs = selector::kUserCode;
    t->frame.ss = selector::kUserData;
    t->frame.rflags = 0x202; // IF, reserved bit 1
    return t;
}

Utcb& Thread::utcb() const { return *phys_to_ptr<Utcb>(utcb_phys); }

void Thread::destroy()
{
    if (utcb_va) task->unmap_anonymous_page(utcb_va);
    if (span_pending) release_object(span_pending), span_pending = nullptr;
    if (bound_notification) bound_notification->bound = nullptr;
    Quota& q = task->quota();
    this_core().heap.free(fpu);
    q.release(fpu_area_size());
    task->live_threads--;
    destroy_object(this, q);
}

} // namespace atoll_os
