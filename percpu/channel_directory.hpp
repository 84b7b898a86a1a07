// ChannelDirectory: the one page per core through which peers create
// channels lazily. Every cell has exactly one writer, the owning core;
// peers only read it (mapped read-only on their side).
//
// Creating the ring sender S -> receiver R (ring memory belongs to R):
//   S: dir[S].request[R] = 1; IPI(R, kChannelRequest)
//   R: sees dir[S].request[R], allocates and initializes the ring in its
//      own memory, dir[R].grant[S] = ring address; IPI(S, doorbell)
//   S: sees dir[R].grant[S] != 0, maps the ring, starts sending.
#pragma once

#include <stdint.h>

#include <atomic>

#include "percpu/topology.hpp"

namespace atoll_os {

struct ChannelDirectory {
    // Written last during initialization, so a peer never trusts a page
    // its owner has not set up yet (or one left over from an earlier boot).
    alignas(64) std::atomic<uint64_t> magic;
    // Set while the owner is about to halt: senders then ring the doorbell.
    alignas(64) std::atomic<uint32_t> wants_doorbell;
    // grant[s]: physical address of ring s -> owner, 0 until created.
    alignas(64) std::atomic<uint64_t> grant[kMaxCores];
    // request[r]: the owner wants a ring owner -> r.
    alignas(64) std::atomic<uint8_t> request[kMaxCores];
};
static_assert(sizeof(ChannelDirectory) <= 4096, "one page per core");

} // namespace atoll_os
