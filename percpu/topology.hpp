// Topology: the read-only per-boot table of cores, NUMA nodes and distances.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/madt.hpp"

namespace atoll_os {

class Diag;
struct ApicIdLayout;
namespace acpi {
class TableSource;
}

inline constexpr unsigned kMaxCores = 256;
inline constexpr unsigned kMaxNodes = 64;
inline constexpr unsigned kMaxNodeMemRanges = 128;

// CoreInfo::acpi_uid of a core the MADT did not list (the boot core when the
// MADT is missing or omits it).
inline constexpr uint32_t kUnknownAcpiUid = 0xFFFFFFFF;

inline constexpr uint8_t kLocalDistance = 10;
inline constexpr uint8_t kRemoteDistance = 20;

struct CoreInfo {
    uint32_t apic_id;       // x2APIC id (or xAPIC id)
    uint32_t acpi_uid;      // processor UID from MADT
    uint16_t package, core, thread;  // decomposed from apic_id with CPUID shifts
    uint16_t node;          // NUMA node (SRAT), 0 without SRAT
    uint32_t l2_group, l3_group;  // cores with equal values share that cache (apic_id >> cache shift)
};

struct NodeMemRange {
    uint64_t base, length;
    uint16_t node;
    bool hotplug;
};

struct Topology {
    uint32_t core_count;            // cores[0] is always the boot core
    CoreInfo cores[kMaxCores];
    uint32_t node_count;
    uint32_t mem_range_count;
    NodeMemRange mem[kMaxNodeMemRanges];
    uint8_t distance[kMaxNodes][kMaxNodes];  // SLIT, or 10/20 defaults
    uint64_t lapic_phys;            // from MADT (0xFEE00000 default)
    acpi::MadtInterrupts interrupts;  // I/O APICs and ISA overrides from MADT (none without one)
    bool from_madt, from_srat, from_slit;  // which tables were used (false = fallback)
    int core_index_of_apic(uint32_t apic_id) const;  // -1 if unknown
};

// Fills out from the ACPI tables reached through rsdp_or_null (rsdp_len bytes
// readable there) and the boot core's CPUID-derived APIC id layout. Never
// fails: every missing or malformed table is reported through diag and
// replaced by a fallback (no MADT: the boot core alone; no SRAT: node 0 with
// all cores and [total_mem_base, total_mem_end); no valid SLIT: 10 local /
// 20 remote). Uses under 4 KiB of stack.
void build_topology(acpi::TableSource& src, const uint8_t* rsdp_or_null, size_t rsdp_len,
                    uint32_t boot_apic_id, const ApicIdLayout& layout, uint64_t total_mem_base,
                    uint64_t total_mem_end, Topology& out, Diag& diag);

} // namespace atoll_os
