// RemoteRef: this core's stand-in for an object another core owns. A
// capability to it works like one to the object itself for the operations
// that cross cores (IPC to an endpoint, signalling a notification): the
// kernel sends the request to the owner instead of touching the object,
// which it could not reach anyway. One RemoteRef per remote object per
// core, shared by every capability here that names it; when the last goes,
// the owner hears that this core holds no copy any more.
#pragma once

#include "kernel/object/kobject.hpp"
#include "percpu/messages.hpp"

namespace atoll_os {

class RemoteRef final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kRemoteRef;

    // The RemoteRef for (owner, token) on this core, made if needed, for one
    // copy of the token that arrived (counted: HolderRelease tells the owner
    // how many). `arrived` false: a reference taken while waiting for the
    // owner's grant, before any copy arrived.
    static RemoteRef* import(Quota& payer, uint32_t owner, ExportToken token, Status& status, bool arrived = true);
    void destroy(); // tells the owner (kHolderRelease)
    static uint32_t live(); // on this core, for diagnostics
    // The one for (owner, token) on this core, if any.
    static RemoteRef* find(uint32_t owner, ExportToken token);

    // The owner revoked the object's copies: every capability here that
    // names it is void (operations answer kDead) until it is deleted.
    bool revoked = false;
    // A remote Frame: the owner's physical memory, which tasks here may
    // map through this capability (user memory shared across cores, never
    // touched by this kernel).
    uint64_t frame_phys = 0, frame_bytes = 0;

    uint32_t owner() const { return owner_; }
    const ExportToken& token() const { return token_; }
    ObjectType remote_type() const { return ObjectType(token_.type); }

    RemoteRef(Quota& payer, uint32_t owner, ExportToken token)
        : KObject(ObjectType::kRemoteRef), payer_(&payer), owner_(owner), token_(token)
    {
    }

private:
    Quota* payer_;
    uint32_t owner_;
    ExportToken token_;
    uint32_t installed_ = 0; // copies of the token taken in
    RemoteRef* next_ = nullptr; // this core's imports
};

} // namespace atoll_os
