// The benchmark groups ipc_bench runs after its IPC figures, and the
// capability slots each uses (one table per task: kept apart here).
#pragma once

#include <stdint.h>

namespace atoll_os::bench {

namespace slot {
// ipc_bench.cpp: 5 (endpoint), 6 and 7 (notifications).
inline constexpr uint64_t kCapRoot = 16;    // cap_bench.cpp: the capability copied and revoked
inline constexpr uint64_t kCopy = 17;       // its copy for cap_copy / cap_delete
inline constexpr uint64_t kChildren = 32;   // its copies for cap_revoke (up to 16)
inline constexpr uint64_t kThreadDone = 64; // thread_bench.cpp: the new thread's "ran" signal
inline constexpr uint64_t kFaults = 65;     // the pager's endpoint
} // namespace slot

// Each prints its BENCH lines and returns how many of its checks failed
// (a figure for an operation that did not happen would be a lie).
unsigned capability_benches(uint64_t tsc_hz); // cap_bench.cpp
unsigned thread_benches(uint64_t tsc_hz);     // thread_bench.cpp

} // namespace atoll_os::bench
