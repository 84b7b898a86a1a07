// Talking to sigma0, the root pager: only the root task does. Its page
// faults reach sigma0 directly (the kernel made sigma0 its fault handler);
// this is the explicit part: frames for the programs the root task loads.
#pragma once

#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/service.hpp"

namespace atoll_os::user {

namespace sigma0 {
inline constexpr uint64_t kOpFrame = 1; // w1 = bytes -> a frame capability
} // namespace sigma0

class Sigma0Client {
public:
    explicit Sigma0Client(uint64_t slot) : slot_(slot) {}

    // A zeroed frame of at least `bytes` (<= 4 MiB), into our slot `dest`.
    Status frame(uint64_t bytes, uint64_t dest) { return call_for_capability(slot_, sigma0::kOpFrame, bytes, dest); }
    // sigma0 exits once the root task is done with it.
    Status stop()
    {
        Message m{{kOpStop, 0, 0, 0}};
        Status s = call(slot_, m);
        return ok(s) ? Status(m.w[0]) : s;
    }

private:
    uint64_t slot_;
};

} // namespace atoll_os::user
