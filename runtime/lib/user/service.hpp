// What every server built on the runtime understands, besides its own
// protocol: word 0 of a request is the operation; a request with operation
// kOpStop from badge 0 (the creator's unbadged capability) asks the server
// to finish and exit 0. Replies carry a Status in word 0.
#pragma once

#include <stdint.h>

#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::user {

inline constexpr uint64_t kOpStop = 0xffff;

// A request whose answer is a capability (status in word 0, the capability
// into our slot `dest`): the shape of every "give me a frame" call.
inline Status call_for_capability(uint64_t slot, uint64_t op, uint64_t arg, uint64_t dest)
{
    main_utcb->receive_slot = dest;
    Message m{{op, arg, 0, 0}};
    Status s = call(slot, m);
    if (!ok(s)) return s;
    if (!ok(Status(m.w[0]))) return Status(m.w[0]);
    return Status(main_utcb->transfer_status);
}

} // namespace atoll_os::user
