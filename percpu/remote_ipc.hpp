// Cross-core IPC: a thread calls (or sends to, or signals) an object another
// core owns through its RemoteRef. One message each way on the common path:
// the call (header with the first four words; longer messages add one
// fragment per six words) and the reply. The owner's kernel stands a proxy
// thread in for the caller, so its endpoint code is the same-core code; an
// IPI is sent only when the receiving core is halted (the messenger's rule).
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

struct Capability;
struct IpcCap;
class KObject;
class RemoteRef;
class Thread;

// Installs this core's message handlers for cross-core IPC.
void remote_ipc_init();

// `self` calls (waits) or sends to the remote endpoint behind `ref`, with
// the message in its registers and UTCB; it blocks until the owner answers.
// Returns a status only if the request could not be sent at all.
[[nodiscard]] Status remote_ipc(Thread* self, const RemoteRef& ref, uint64_t badge, uint64_t flags, bool waits);
// A proxy's caller passed a capability: install it in `to`'s `slot` (a
// RemoteRef unless this core owns the object). Once per call.
[[nodiscard]] Status remote_cap_install(Thread& proxy, Thread& to, uint64_t slot);
// `self` faulted (its fault_* fields say how) and its task's fault handler
// is the remote endpoint behind `ref`: the fault goes there as a call, and
// the pager's answer resumes or ends the thread.
[[nodiscard]] Status remote_fault(Thread* self, const RemoteRef& ref, uint64_t badge);
// Capabilities crossing cores. Out: the form core `dest` will find `cap`
// in (an object of ours is exported to it first; one another core owns
// travels as that core's token: if that is not `dest`, `dest` asks the
// owner with kTransferRequest before taking it, remote_invoke.cpp).
[[nodiscard]] Status remote_cap_out(const Capability& cap, uint32_t rights_mask, uint32_t dest, IpcCap& out);
// In: the object such a capability names here (our own, or a RemoteRef).
KObject* remote_cap_in(const IpcCap& c, Status& status);
// What remote_cap_in returned went unused: a RemoteRef nothing names goes
// (and its owner hears this core holds no copy).
void remote_cap_unused(KObject* obj);
// A reply to `proxy` passes the capability named in `from`'s UTCB: it
// travels to the caller's core with the reply (exported to it first).
[[nodiscard]] Status remote_cap_reply(Thread& from, Thread& proxy);
// Signals the remote notification behind `ref` (one-way).
[[nodiscard]] Status remote_signal(const RemoteRef& ref, uint64_t bits);

// A proxy's operation ended (the scheduler would have made it ready): the
// outcome goes back to the thread it stands for, and the proxy is reused.
void remote_proxy_done(Thread* proxy);

// The owner side of revoke: after `self` revoked the original capability
// of `obj` here, every other core's copies go void. True if `self` now
// waits for their acknowledgements (it returns from the call when every
// holder core has confirmed); false if no other core held one.
// Some thread of this core waits in a revoke (a later revoke of the same
// object must wait for it too).
bool remote_revoke_under_way();
bool remote_revoke(Thread* self, KObject& obj);

// Frees the idle proxies (before the kernel's self-check); false if some are
// still standing in for a caller.
bool remote_ipc_release();

} // namespace atoll_os
