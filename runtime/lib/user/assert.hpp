// assert and panic for user programs: say what went wrong and where (through
// print(), so the console names the program), then end the calling thread
// with status 134 (as abort() would). A single-threaded program is then
// gone and its parent (the root task) reports the status; other threads of
// a multi-threaded one go on until they exit.
#pragma once

namespace atoll_os::user {

[[noreturn, gnu::format(printf, 3, 4)]] void panic_at(const char* file, int line, const char* fmt, ...);

inline constexpr int kPanicStatus = 134;

} // namespace atoll_os::user

#define ATOLL_PANIC(...) ::atoll_os::user::panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define ATOLL_ASSERT(cond)                                                                     \
    do {                                                                                       \
        if (!(cond)) [[unlikely]]                                                              \
            ::atoll_os::user::panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond);     \
    } while (0)
