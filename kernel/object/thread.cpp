// Thread creation and teardown.
#include "kernel/object/thread.hpp"

#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fpu.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/task.hpp"

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
    fpu_init_area(fpu);
    t->fpu = fpu;
    t->frame.rip = entry;
    t->frame.rsp = stack_top;
    t->frame.cs = selector::kUserCode;
    t->frame.ss = selector::kUserData;
    t->frame.rflags = 0x202; // IF, reserved bit 1
    task.live_threads++;
    return t;
}

void Thread::destroy()
{
    if (bound_notification) bound_notification->bound = nullptr;
    Quota& q = task->quota();
    this_core().heap.free(fpu);
    q.release(fpu_area_size());
    task->live_threads--;
    destroy_object(this, q);
}

} // namespace atoll_os
