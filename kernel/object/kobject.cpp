// Object type names, from the registry.
#include "kernel/object/kobject.hpp"

#include "kernel/object/endpoint.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/reply.hpp"

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
    if (obj->type() == ObjectType::kEndpoint) static_cast<Endpoint*>(obj)->destroy();
    if (obj->type() == ObjectType::kNotification) static_cast<Notification*>(obj)->destroy();
    if (obj->type() == ObjectType::kReply) static_cast<Reply*>(obj)->destroy();
}

} // namespace atoll_os
