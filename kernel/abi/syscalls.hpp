// System-call numbers and register conventions, shared by kernel and user.
//
// `syscall` with rax = number; arguments in rdi, rsi, rdx, r10, r8, r9
// (rcx and r11 are taken by the instruction). Returns rax = Status; calls
// that return values put them in rdx, r10, r8, r9. All other registers are
// preserved.
#pragma once

#include <stdint.h>

namespace atoll_os::sys {

enum Number : uint64_t {
    kDebugWrite = 0, // (const char* text, size_t len): one log line, prefixed with task and thread
    kThreadExit = 1, // (int64 code): ends the calling thread; never returns
    kYield = 2,      // (): give up the rest of this time slice
    kSleep = 3,      // (uint64 micros): block for at least that long
    kCount
};

inline constexpr uint64_t kUserLimit = 0x0000800000000000ull; // first non-user address
inline constexpr uint64_t kMaxDebugWrite = 160;

} // namespace atoll_os::sys
