// System-call wrappers for user programs (kernel/abi/syscalls.hpp has the
// numbers and register conventions).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/status.hpp"
#include "kernel/abi/syscalls.hpp"

namespace atoll_os::user {

inline uint64_t raw_syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0)
{
    uint64_t ret;
    asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return ret;
}

inline Status debug_write(const char* text, size_t len)
{
    return Status(raw_syscall(sys::kDebugWrite, reinterpret_cast<uint64_t>(text), len));
}
[[noreturn]] inline void thread_exit(int64_t code)
{
    raw_syscall(sys::kThreadExit, uint64_t(code));
    __builtin_unreachable();
}
inline Status yield() { return Status(raw_syscall(sys::kYield)); }
inline Status sleep_micros(uint64_t us) { return Status(raw_syscall(sys::kSleep, us)); }

} // namespace atoll_os::user
