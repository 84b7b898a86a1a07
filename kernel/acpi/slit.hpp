// SLIT: relative memory latency between NUMA nodes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/srat.hpp"
#include "kernel/lib/diag.hpp"
#include "percpu/topology.hpp"

namespace atoll_os::acpi {

using DistanceMatrix = uint8_t[kMaxNodes][kMaxNodes];

// kLocalDistance on the diagonal, kRemoteDistance elsewhere: what Atoll
// assumes when no usable SLIT exists.
void default_distances(DistanceMatrix& distance);

// Parses the SLIT in the len bytes at table (header included). Its rows and
// columns are proximity domains; they are translated to nodes through the
// SRAT's map, so the locality count must equal nodes.count and every SRAT
// domain must have a row. Writes distance[0..count)[0..count) only when the
// whole table is valid; otherwise reports why and returns false.
bool parse_slit(const uint8_t* table, size_t len, const DomainMap& nodes, DistanceMatrix& distance,
                Diag& diag);

} // namespace atoll_os::acpi
