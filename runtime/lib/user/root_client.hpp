// The root task's services to the programs it started, on the capability
// named "memory" (frames to share, e.g. a URPC ring) or "root" (the
// console's: who holds a badge). Heap and stack need no request: they
// appear where touched. The root task never calls its programs (it pages
// them: it would wait on a program that waits on it), so whatever it knows
// they ask for.
#pragma once

#include <stddef.h>

#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/message_text.hpp"
#include "runtime/lib/user/service.hpp"

namespace atoll_os::user {

namespace root_ops {
inline constexpr uint64_t kFrame = 1; // w1 = bytes -> a frame capability
inline constexpr uint64_t kWhoIs = 2; // w1 = badge -> w1 = core, w2 = name length, name from w4
inline constexpr size_t kMaxName = 31;
} // namespace root_ops

class RootClient {
public:
    explicit RootClient(uint64_t slot) : slot_(slot) {}

    // A zeroed frame of at least `bytes`, into our slot `dest`; it counts
    // against this program's memory allowance.
    Status frame(uint64_t bytes, uint64_t dest) { return call_for_capability(slot_, root_ops::kFrame, bytes, dest); }

    // The program whose capabilities carry `badge`: name (NUL-terminated,
    // name_cap >= kMaxName + 1) and core.
    Status who_is(uint64_t badge, char* name, size_t name_cap, uint32_t& core)
    {
        Message m{{root_ops::kWhoIs, badge, 0, 0}};
        Status s = call(slot_, m);
        if (!ok(s)) return s;
        if (!ok(Status(m.w[0]))) return Status(m.w[0]);
        size_t len = m.w[2] < name_cap - 1 ? m.w[2] : name_cap - 1;
        unpack_text(m, *main_utcb, 4, name, len);
        name[len] = '\0';
        core = uint32_t(m.w[1]);
        return Status::kOk;
    }

private:
    uint64_t slot_;
};

} // namespace atoll_os::user
