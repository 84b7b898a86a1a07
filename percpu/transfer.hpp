// Transfer of a capability whose object a third core owns. Core X passes
// core Y a copy of an object core Z owns (X holds a RemoteRef to it): Y
// asks Z to record it as a holder (kTransferRequest) and takes the copy
// only when Z grants it (kTransferGrant). Z grants while the token is live;
// a revoke makes it stale at once (refused: kDead), and any RevokeRequest Z
// sends later follows the grant on the same FIFO channel. Y holds its
// RemoteRef while it waits, so no HolderRelease of Y's can overtake the
// grant and make Z forget a holder that is about to hold a copy.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"

namespace atoll_os {

struct IpcCap;

// Every core: the message handlers.
void transfer_init();

// True if `c`, arriving from core `from`, names an object neither this
// core nor `from` owns.
bool owned_by_third_core(const IpcCap& c, uint32_t from);

// A capability arrived from `from` and nobody here takes it: if `from` or
// we own its object, the owner counted a copy for us, and hears that we
// hold none after all; one a third core owns was never granted to us.
void drop_arrived_cap(const IpcCap& c, uint32_t from);

// Y's side: asks the owner of `c`'s object; `granted(context, status, c)`
// runs when it answers (kOk: `c` may be taken, a Frame's range filled in by
// the owner). Without memory to wait, `granted` runs at once with kNoMemory.
using Granted = void (*)(void* context, Status status, IpcCap& c);
void transfer_request(const IpcCap& c, Granted granted, void* context);

} // namespace atoll_os
