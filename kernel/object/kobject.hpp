// KObject: the base of every kernel object, and the one registry of types.
// Every object belongs to exactly one core (the one whose heap holds it) and
// is paid for from the quota of the task that created it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <new>

#include "kernel/abi/status.hpp"
#include "kernel/object/quota.hpp"
#include "percpu/kcb.hpp"

namespace atoll_os {

// One line per object type.
#define ATOLL_OBJECT_TYPES(X) \
    X(Task)                   \
    X(Thread)                 \
    X(Endpoint)               \
    X(Notification)           \
    X(Reply)                  \
    X(Frame)                  \
    X(LogPort)                \
    X(RemoteRef)              \
    X(Irq)                    \
    X(IoPort)

enum class ObjectType : uint8_t {
#define ATOLL_DECLARE_TYPE(name) k##name,
    ATOLL_OBJECT_TYPES(ATOLL_DECLARE_TYPE)
#undef ATOLL_DECLARE_TYPE
};

const char* object_type_name(ObjectType t);

class KObject {
public:
    ObjectType type() const { return type_; }
    uint32_t owner_core() const { return owner_core_; }

    // Capabilities referring to this object. Most objects go when the last
    // one does; a task also waits for its threads to end and its quota to
    // drain; threads live until they exit.
    void add_ref() { ++refs_; }
    bool drop_ref() { return --refs_ == 0; }
    uint32_t refs() const { return refs_; }

    // Its slot + 1 in this core's export table (percpu/exports.hpp) while
    // capabilities on other cores name it; 0 otherwise.
    uint32_t export_slot = 0;

protected:
    explicit KObject(ObjectType t) : type_(t), owner_core_(this_core().core) {}
    ~KObject() = default;

private:
    ObjectType type_;
    uint32_t owner_core_;
    uint32_t refs_ = 0;
};

// Drops one capability's reference; destroys the object if that was the
// last one and its type is reference-counted.
void release_object(KObject* obj);

// Creates a T on this core's heap, charged to `payer`. Kernel memory running
// out is an error the caller gets back, never a panic.
template <class T, class... Args> [[nodiscard]] T* create_object(Quota& payer, Status& status, Args&&... args)
{
    constexpr size_t bytes = sizeof(T);
    if (!payer.charge(bytes)) {
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    void* mem = this_core().heap.alloc(bytes, alignof(T) < 64 ? 64 : alignof(T));
    if (!mem) {
        payer.release(bytes);
        status = Status::kNoMemory;
        return nullptr;
    }
    status = Status::kOk;
    return new (mem) T(static_cast<Args&&>(args)...);
}

template <class T> void destroy_object(T* obj, Quota& payer)
{
    obj->~T();
    this_core().heap.free(obj);
    payer.release(sizeof(T));
}

} // namespace atoll_os
