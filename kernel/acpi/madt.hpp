// MADT: which processors the firmware says are present, where the local APIC
// lives, and how device interrupts reach the I/O APICs.
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

inline constexpr uint32_t kMaxIoApics = 8;
inline constexpr uint32_t kIsaIrqs = 16;

struct MadtIoApic {
    uint32_t id;        // I/O APIC id
    uint32_t phys;      // register window (the table gives 32 bits)
    uint32_t gsi_base;  // the global system interrupt of its first input
};

// An interrupt source override: ISA IRQ n arrives at another GSI, or with
// another polarity or trigger than ISA's (high, edge). flags are the MPS
// INTI flags: polarity in bits 0-1, trigger in bits 2-3; 0 = as the bus says.
struct IsaOverride {
    bool present;
    uint16_t flags;
    uint32_t gsi;
};

inline constexpr uint16_t kIntiPolarityMask = 0x3, kIntiActiveHigh = 0x1, kIntiActiveLow = 0x3;
inline constexpr uint16_t kIntiTriggerMask = 0xc, kIntiEdge = 0x4, kIntiLevel = 0xc;

struct MadtInterrupts {
    uint32_t ioapic_count;
    MadtIoApic ioapics[kMaxIoApics];
    IsaOverride isa[kIsaIrqs];  // by ISA IRQ number
    bool pcat_compat;           // the dual 8259 PICs are present too
};

struct MadtInfo {
    uint64_t lapic_phys;      // header address, replaced by a type 5 override
    uint32_t cpu_count;       // enabled processors written to the caller's array
    uint32_t online_capable;  // disabled but hot-addable processors (not listed)
    MadtInterrupts interrupts;
};

// Parses the MADT in the len bytes at table (header included). Enabled
// Local APIC and Local x2APIC entries go to cpus[0..capacity) in table order;
// I/O APIC and interrupt source override entries go to out.interrupts;
// duplicates, malformed entries and overflow are reported and skipped.
// Returns false (after reporting) if the table header itself is unusable.
bool parse_madt(const uint8_t* table, size_t len, MadtCpu* cpus, uint32_t capacity, MadtInfo& out,
                Diag& diag);

} // namespace atoll_os::acpi
