// RSDP: locating and checking the ACPI root pointer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"

namespace atoll_os::acpi {

inline constexpr size_t kRsdpV1Size = 20;  // ACPI 1.0: up to the RSDT address
inline constexpr size_t kRsdpV2Size = 36;  // ACPI 2.0+: adds length, XSDT, extended checksum

struct Rsdp {
    uint64_t rsdt;     // 32-bit physical address widened; 0 if absent
    uint64_t xsdt;     // 0 if revision < 2 or the extended part is unusable
    uint8_t revision;
};

// Scans area (assumed 16-byte aligned, e.g. the EBDA or 0xE0000..0xFFFFF) for
// "RSD PTR " on 16-byte boundaries. Returns the first candidate whose
// checksums hold (the extended one too for revision >= 2), else nullptr.
const uint8_t* find_rsdp(const uint8_t* area, size_t len);

// Decodes an RSDP from the len bytes at p. A revision 2 structure whose
// extended part is short or fails its checksum still yields the RSDT, with a
// report. Returns false (after reporting) if no root table address is usable.
bool parse_rsdp(const uint8_t* p, size_t len, Rsdp& out, Diag& diag);

} // namespace atoll_os::acpi
