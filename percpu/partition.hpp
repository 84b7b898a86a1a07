// split_memory: divides the boot memory map into one private partition per core.
#pragma once

#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "kernel/mem/phys_range.hpp"

namespace atoll_os {

// Enough for a core's slice to span the holes of a typical firmware map;
// a map so fragmented that a core needs more is rejected, not truncated.
inline constexpr unsigned kMaxPartitionRanges = 16;

struct Partition {
    PhysRange ranges[kMaxPartitionRanges];  // sorted, page aligned, disjoint
    uint32_t count;
    uint64_t bytes;
    // NUMA node the memory comes from: the core's own node, or the fallback
    // node when the core's node has no memory (see split_memory).
    uint16_t node;
};

struct NodeRange {
    uint64_t base, end;  // [base, end)
    uint16_t node;
};

struct PartitionRequest {
    const PhysRange* usable; uint32_t usable_count;        // may overlap, be unsorted, unaligned
    const PhysRange* reserved; uint32_t reserved_count;    // kernel image, modules, boot info, low 1 MiB, ...
    const NodeRange* node_ranges; uint32_t node_range_count; // from SRAT; 0 = node 0 owns everything
    const uint16_t* core_node; uint32_t core_count;        // node of each core (index = core number)
    uint64_t min_bytes_per_core;                            // fail if a core would get less
};

// Fills out[0..core_count). Returns false, with a Diag report naming why and
// every partition zeroed, if it cannot give every core at least
// max(min_bytes_per_core, one page) in at most kMaxPartitionRanges ranges.
//
// Rules:
//  - Usable ranges are merged where they overlap or touch, then shrunk to
//    whole pages; reserved ranges are grown to whole pages and removed.
//    A usable entry with end < base is reported and ignored; a reserved one
//    is reported and fails the split, since what it protects is unknown.
//  - Node ranges are rounded down to page boundaries (a page straddling two
//    nodes belongs to the higher one). Where they overlap, the earlier entry
//    wins (reported). Memory no node range covers is dropped (reported).
//  - Each node's memory is split equally, in whole pages, among that node's
//    cores in core order; the last core also gets the remainder. Each core
//    takes the next contiguous stretch of the node's memory in address order.
//  - Memory of a node without cores joins node 0's pool (or, without cores
//    on node 0, the pool of the lowest-numbered node that has cores).
//  - Cores on a node without memory share the pool of node 0 (or, if node 0
//    has no memory, the pool of the lowest-addressed memory); reported.
// Needs no scratch memory and accepts maps of any length; run it once, on
// the boot core, before any allocator exists.
bool split_memory(const PartitionRequest& request, Partition* out, Diag& diag);

} // namespace atoll_os
