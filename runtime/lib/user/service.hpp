// What every server built on the runtime understands, besides its own
// protocol: word 0 of a request is the operation; a request with operation
// kOpStop from badge 0 (the creator's unbadged capability) asks the server
// to finish and exit 0. Replies carry a Status in word 0.
#pragma once

#include <stdint.h>

namespace atoll_os::user {

inline constexpr uint64_t kOpStop = 0xffff;

} // namespace atoll_os::user
