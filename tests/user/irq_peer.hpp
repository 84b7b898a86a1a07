// The words irq.cpp and irq_peer.cpp exchange over the boot endpoint.
#pragma once

#include <stdint.h>

namespace atoll_os::user {

inline constexpr uint64_t kPeerGo = 0x70;     // the RTC driver holds ports 0x70-0x71 now
inline constexpr uint64_t kPeerDone = 0x80;   // the peer checked its own port and ours

} // namespace atoll_os::user
