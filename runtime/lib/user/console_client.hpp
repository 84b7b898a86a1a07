// The console service's protocol and its client. Programs the root task
// starts get a capability to it named "console", badged with their id (the
// console asks the root task whose id it is); print() uses it when present.
#pragma once

#include <stddef.h>

#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/service.hpp"

namespace atoll_os::user {

namespace console {
inline constexpr uint64_t kOpWrite = 1;    // w1 = length, text from w2 on (registers, then the UTCB)
inline constexpr uint64_t kMaxWrite = (Utcb::kWords - 2) * sizeof(uint64_t); // bytes per request
} // namespace console

class ConsoleClient {
public:
    explicit ConsoleClient(uint64_t slot) : slot_(slot) {}

    // Text of any length; each call ends a line, and the console splits
    // the text at newlines. Uses the main thread's UTCB.
    Status write(const char* text, size_t len);

private:
    uint64_t slot_;
};

} // namespace atoll_os::user
