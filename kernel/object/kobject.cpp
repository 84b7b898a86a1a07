// Object type names, from the registry.
#include "kernel/object/kobject.hpp"

#include "kernel/object/endpoint.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/io_port.hpp"
#include "kernel/object/irq.hpp"
#include "kernel/object/log_port.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/reply.hpp"
#include "kernel/object/task.hpp"

namespace atoll_os {

const char* object_type_name(ObjectType t)
{
    switch (t) {
#define ATOLL_NAME_TYPE(name) \
    case ObjectType::k##name: return #name;
        ATOLL_OBJECT_TYPES(ATOLL_NAME_TYPE)
#undef ATOLL_NAME_TYPE
    }
    return "?";
}

void release_object(KObject* obj)
{
    if (!obj->drop_ref()) return;
    switch (obj->type()) {
    case ObjectType::kEndpoint: static_cast<Endpoint*>(obj)->destroy(); break;
    case ObjectType::kNotification: static_cast<Notification*>(obj)->destroy(); break;
    case ObjectType::kReply: static_cast<Reply*>(obj)->destroy(); break;
    case ObjectType::kFrame: static_cast<Frame*>(obj)->destroy(); break;
    case ObjectType::kLogPort: static_cast<LogPort*>(obj)->destroy(); break;
    case ObjectType::kRemoteRef: static_cast<RemoteRef*>(obj)->destroy(); break;
    case ObjectType::kIrq: static_cast<Irq*>(obj)->destroy(); break;
    case ObjectType::kIoPort: static_cast<IoPort*>(obj)->destroy(); break;
    case ObjectType::kTask: {
        auto* task = static_cast<Task*>(obj);
        if (!task->dead() && task->live_threads == 0) task->exit(0); // never ran, and nobody can start it now
        else task->free_if_done();
        break;
    }
    case ObjectType::kThread: break; // threads end by exiting
    }
}

} // namespace atoll_os
