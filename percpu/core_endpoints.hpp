// Core endpoints: when the kernel's first tasks run on several cores, each
// of those cores makes an endpoint of its own and every first task gets a
// capability to every one of them (slot kSlotCoreEndpoints + core; remote
// except its own core's). Tests and benchmarks use them to talk between
// every pair of cores before a root task hands out capabilities.
#pragma once

#include <stdint.h>

namespace atoll_os {

class CapSpace;
class Endpoint;

struct CoreMask {
    uint64_t bits[4];
    bool has(uint32_t c) const { return c < 256 && (bits[c / 64] >> (c % 64)) & 1; }
    void add(uint32_t c)
    {
        if (c < 256) bits[c / 64] |= uint64_t(1) << (c % 64);
    }
};

// Every core: the message handlers.
void install_core_endpoint_handlers();

// Core 0, before placing first tasks: every core in `cores` makes its
// endpoint (core 0's is `own`, if core 0 is among them) and learns every
// other's. False (logged) if a core does not answer.
bool exchange_core_endpoints(const CoreMask& cores, Endpoint* own);

// Installs the core endpoints into a first task's capability space.
void give_core_endpoints(CapSpace& caps);

// This core's first tasks are done: drop its capabilities to the others'.
void drop_core_endpoints();

} // namespace atoll_os
