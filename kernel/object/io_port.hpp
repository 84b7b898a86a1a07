// IoPort: a range of x86 I/O ports for a user-level driver. Enabling it
// maps the range into the calling task's I/O space through that one
// capability, recorded like a frame mapping (mapping.hpp): deleting or
// revoking the capability takes the ports away again, and a task that
// exits forgets them. Ports the kernel drives itself are never handed out.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class IoPort final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kIoPort;

    // [first, last], neither beyond 0xffff nor touching a kernel port
    // (kInUse).
    static IoPort* create(Quota& payer, uint64_t first, uint64_t last, Status& status);
    void destroy();

    uint16_t first() const { return first_; }
    uint16_t last() const { return last_; }

    IoPort(Quota& payer, uint16_t first, uint16_t last)
        : KObject(ObjectType::kIoPort), payer_(&payer), first_(first), last_(last)
    {
    }

private:
    Quota* payer_;
    uint16_t first_;
    uint16_t last_;
};

} // namespace atoll_os
