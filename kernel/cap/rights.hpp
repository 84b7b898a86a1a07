// Capability rights: one bit set shared by all types; each operation names
// the rights it needs. Shared by kernel and user space.
#pragma once

#include <stdint.h>

namespace atoll_os::rights {

inline constexpr uint32_t kSend = 1u << 0;    // endpoint: send, call
inline constexpr uint32_t kReceive = 1u << 1; // endpoint: receive
inline constexpr uint32_t kGrant = 1u << 2;   // may pass capabilities along (later: transfer items)
inline constexpr uint32_t kCreate = 1u << 3;  // task: create objects charged to it (threads, endpoints)
inline constexpr uint32_t kAll = kSend | kReceive | kGrant | kCreate;

} // namespace atoll_os::rights
