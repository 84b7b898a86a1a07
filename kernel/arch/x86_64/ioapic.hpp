// The I/O APICs, where device interrupts enter. Only the boot core programs
// them: every device interrupt is delivered to core 0's local APIC, so the
// redirection entries have one writer and need no cross-core protocol. The
// legacy 8259 PICs are masked for good when the I/O APICs take over.
#pragma once

#include <stdint.h>

#include "kernel/acpi/madt.hpp"

namespace atoll_os {

class IoApics {
public:
    // Boot core only, with the I/O APIC pages mapped: masks every input and
    // the 8259s. Logs and stays unusable (no GSI exists) if the MADT named
    // no I/O APIC or this core's APIC id is beyond what they can address.
    void init(const acpi::MadtInterrupts& table, uint32_t dest_apic_id);
    bool has_gsi(uint32_t gsi) const { return find(gsi) != nullptr; }

    // Points `gsi` at `vector` on the boot core, masked. The GSI must exist.
    void route(uint32_t gsi, uint8_t vector, bool active_low, bool level);
    void mask(uint32_t gsi);
    void unmask(uint32_t gsi);

private:
    struct Chip {
        uint64_t regs;      // virtual address of its register window
        uint32_t gsi_base;
        uint32_t inputs;
    };
    const Chip* find(uint32_t gsi) const;
    static uint32_t read(const Chip& c, uint32_t reg);
    static void write(const Chip& c, uint32_t reg, uint32_t value);
    void set_masked(uint32_t gsi, bool masked);

    Chip chips_[acpi::kMaxIoApics] = {};
    uint32_t count_ = 0;
    uint32_t dest_ = 0;
};

// This core's view; only core 0's is ever initialized.
IoApics& io_apics();

} // namespace atoll_os
