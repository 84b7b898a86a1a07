// Transfer of third-core capabilities: the request, the grant.
#include "percpu/transfer.hpp"

#include "kernel/log.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/remote_ref.hpp"
#include "percpu/exports.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"
#include "percpu/remote_ipc.hpp"

namespace atoll_os {
namespace {

struct Waiting {
    IpcCap cap;
    Granted granted;
    void* context;
    RemoteRef* ref; // held until the answer
};

// The owner: granted while the token is live.
void on_request(uint32_t from, const ChannelMessage& msg)
{
    TransferRequest q;
    __builtin_memcpy(&q, msg.payload, sizeof q);
    TransferGrant g{q.context, int32_t(Status::kDead), 0, 0, 0};
    KObject* o = exports().find(q.object.index, q.object.generation);
    ExportToken same;
    if (o && exports().add_holder(*o, from, same)) {
        g.status = int32_t(Status::kOk);
        if (o->type() == ObjectType::kFrame) {
            g.frame_phys = static_cast<Frame*>(o)->phys();
            g.frame_bytes = static_cast<Frame*>(o)->bytes();
        }
    }
    if (!messenger().send_value(from, Msg::kTransferGrant, g)) klog("remote: cannot answer core %u's transfer", from);
}

void on_grant(uint32_t, const ChannelMessage& msg)
{
    TransferGrant g;
    __builtin_memcpy(&g, msg.payload, sizeof g);
    auto* w = reinterpret_cast<Waiting*>(g.context);
    if (ok(Status(g.status)) && g.frame_bytes) {
        w->cap.frame_phys = w->ref->frame_phys = g.frame_phys;
        w->cap.frame_bytes = w->ref->frame_bytes = g.frame_bytes;
    }
    w->granted(w->context, Status(g.status), w->cap);
    release_object(w->ref); // unused by then: it goes, and the owner hears (after the grant)
    w->~Waiting();
    this_core().heap.free(w);
}

} // namespace

void transfer_init()
{
    messenger().set_handler(Msg::kTransferRequest, on_request);
    messenger().set_handler(Msg::kTransferGrant, on_grant);
}

bool owned_by_third_core(const IpcCap& c, uint32_t from) { return c.owner != this_core().core && c.owner != from; }

void drop_arrived_cap(const IpcCap& c, uint32_t from)
{
    if (owned_by_third_core(c, from)) return;
    Status s;
    remote_cap_unused(remote_cap_in(c, s));
}

void transfer_request(const IpcCap& c, Granted granted, void* context)
{
    IpcCap copy = c;
    Status s = Status::kNoMemory;
    void* mem = this_core().heap.alloc(sizeof(Waiting));
    RemoteRef* ref = mem ? RemoteRef::import(this_core().boot_quota, c.owner, c.object, s, false) : nullptr;
    if (!ref) {
        if (mem) this_core().heap.free(mem);
        return granted(context, s, copy);
    }
    ref->add_ref();
    auto* w = new (mem) Waiting{c, granted, context, ref};
    const TransferRequest request{c.object, reinterpret_cast<uint64_t>(w)};
    if (!messenger().send_value(c.owner, Msg::kTransferRequest, request))
        klog("remote: cannot reach core %u for a transfer", c.owner);
}

} // namespace atoll_os
