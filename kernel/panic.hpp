// Panic: report why, where and how we got here, on the core that failed,
// then stop the machine. Only for kernel bugs; user input never gets here.
#pragma once

namespace atoll_os {

struct InterruptFrame;

[[noreturn, gnu::format(printf, 1, 2)]] void panic(const char* fmt, ...);
[[noreturn, gnu::format(printf, 2, 3)]] void panic_with_frame(const InterruptFrame& frame, const char* fmt, ...);

// Debug-build style invariant check that stays on in every build.
#define KASSERT(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) ::atoll_os::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
    } while (0)

} // namespace atoll_os
