// Probing an I/O port from a throw-away thread: with no permission the
// thread dies of a #GP (no fault handler), and the caller lives on.
#pragma once

#include "runtime/lib/user/devices.hpp"
#include "runtime/lib/user/syscall.hpp"

namespace atoll_os::user {

namespace probe_detail {
alignas(16) inline char stack[4096];
inline volatile uint16_t port;
inline volatile bool started, survived;

inline void run(Utcb*)
{
    started = true;
    (void)port_in8(port);
    survived = true;
    thread_exit(0);
}
} // namespace probe_detail

// True when a new thread (of `priority`, the caller's) reading `port` was
// killed before it could go on.
inline bool port_kills_prober(uint16_t port, uint64_t priority)
{
    using namespace probe_detail;
    probe_detail::port = port;
    started = false;
    survived = false;
    if (!ok(thread_create(sys::kSlotSelf, run, stack + sizeof stack, priority))) return false;
    for (int i = 0; i < 10 && !started; ++i) (void)sleep_micros(10000);
    (void)sleep_micros(20000);
    return started && !survived;
}

} // namespace atoll_os::user
