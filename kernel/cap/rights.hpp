// Capability rights: one bit set shared by all types; each operation names
// the rights it needs. Shared by kernel and user space.
#pragma once

#include <stdint.h>

namespace atoll_os::rights {

inline constexpr uint32_t kSend = 1u << 0;    // endpoint: send, call
inline constexpr uint32_t kReceive = 1u << 1; // endpoint: receive
inline constexpr uint32_t kGrant = 1u << 2;   // may pass capabilities along (later: transfer items)
inline constexpr uint32_t kCreate = 1u << 3;  // task: create objects charged to it (threads, endpoints)
// Frames: what a mapping made through the capability may allow.
inline constexpr uint32_t kRead = 1u << 4;
inline constexpr uint32_t kWrite = 1u << 5;
inline constexpr uint32_t kExecute = 1u << 6;
inline constexpr uint32_t kAll = kSend | kReceive | kGrant | kCreate | kRead | kWrite | kExecute;

} // namespace atoll_os::rights
