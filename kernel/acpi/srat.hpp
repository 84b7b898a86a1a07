// SRAT: which NUMA proximity domain each processor and memory range belongs to.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "percpu/topology.hpp"

namespace atoll_os::acpi {

// Firmware proximity domains are sparse 32-bit numbers; Atoll's nodes are
// dense 0..count-1, numbered in order of first appearance in the SRAT.
struct DomainMap {
    uint32_t count;
    uint32_t domain[kMaxNodes];  // domain[node] = firmware proximity domain

    int node_of(uint32_t proximity_domain) const;  // -1 if not present
};

struct SratCpu {
    uint32_t apic_id;
    uint16_t node;
};

struct SratInfo {
    DomainMap nodes;
    uint32_t cpu_count;  // enabled processor entries written to the caller's array
    uint32_t mem_count;  // enabled, non-empty memory entries written to the caller's array
};

// Parses the SRAT in the len bytes at table (header included): processor
// Local APIC (type 0) and x2APIC (type 2) affinity, memory affinity (type 1).
// Disabled entries are ignored; malformed, duplicate, overlapping and
// overflowing ones are reported and skipped. Returns false (after reporting)
// if the table header itself is unusable.
bool parse_srat(const uint8_t* table, size_t len, SratCpu* cpus, uint32_t cpu_capacity, NodeMemRange* mem,
                uint32_t mem_capacity, SratInfo& out, Diag& diag);

} // namespace atoll_os::acpi
