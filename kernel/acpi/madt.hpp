// MADT: which processors the firmware says are present, and where the local APIC lives.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"

namespace atoll_os::acpi {

inline constexpr uint64_t kDefaultLapicPhys = 0xFEE00000;

struct MadtCpu {
    uint32_t apic_id;   // xAPIC id (type 0) or x2APIC id (type 9)
    uint32_t acpi_uid;  // ACPI processor UID
};

struct MadtInfo {
    uint64_t lapic_phys;      // header address, replaced by a type 5 override
    uint32_t cpu_count;       // enabled processors written to the caller's array
    uint32_t online_capable;  // disabled but hot-addable processors (not listed)
};

// Parses the MADT in the len bytes at table (header included). Enabled
// Local APIC and Local x2APIC entries go to cpus[0..capacity) in table order;
// duplicates, malformed entries and overflow are reported and skipped.
// Returns false (after reporting) if the table header itself is unusable.
bool parse_madt(const uint8_t* table, size_t len, MadtCpu* cpus, uint32_t capacity, MadtInfo& out,
                Diag& diag);

} // namespace atoll_os::acpi
