// Reply objects: creation and teardown.
#include "kernel/object/reply.hpp"

#include "kernel/ipc/ipc.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"

namespace atoll_os {

Reply* Reply::create(Quota& payer, Status& status) { return create_object<Reply>(payer, status, payer); }

void Reply::destroy()
{
    if (Thread* t = caller) {
        caller = nullptr;
        t->saved_reply = nullptr;
        ipc_no_answer(t);
    }
    destroy_object(this, *payer_);
}

} // namespace atoll_os
