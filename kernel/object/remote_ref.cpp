// RemoteRef import (one per remote object per core) and release.
#include "kernel/object/remote_ref.hpp"

#include "kernel/log.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {
RemoteRef* g_imports; // per core
} // namespace

RemoteRef* RemoteRef::find(uint32_t owner, ExportToken token)
{
    for (RemoteRef* r = g_imports; r; r = r->next_)
        if (r->owner_ == owner && r->token_.index == token.index && r->token_.generation == token.generation)
            return r;
    return nullptr;
}

RemoteRef* RemoteRef::import(Quota& payer, uint32_t owner, ExportToken token, Status& status, bool arrived)
{
    RemoteRef* r = find(owner, token);
    if (r && r->revoked) {
        status = Status::kDead;
        return nullptr;
    }
    if (!r) {
        r = create_object<RemoteRef>(payer, status, payer, owner, token);
        if (!r) return nullptr; // the copy is lost here: the owner keeps us a holder (a leak, logged by the self-check)
        r->next_ = g_imports;
        g_imports = r;
    }
    status = Status::kOk;
    if (arrived) ++r->installed_;
    return r;
}

uint32_t RemoteRef::live()
{
    uint32_t n = 0;
    for (RemoteRef* r = g_imports; r; r = r->next_) ++n;
    return n;
}

void RemoteRef::destroy()
{
    for (RemoteRef** link = &g_imports; *link; link = &(*link)->next_) {
        if (*link == this) {
            *link = next_;
            break;
        }
    }
    // After a revoke the owner has forgotten us already; telling it again is harmless.
    if (!messenger().send_value(owner_, Msg::kHolderRelease, HolderRelease{token_, installed_}))
        klog("remote: cannot tell core %u that its object %u is released here", owner_, token_.index);
    destroy_object(this, *payer_);
}

} // namespace atoll_os
