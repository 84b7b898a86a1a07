// Which global system interrupt (I/O APIC input) a device interrupt line
// arrives at, and with which polarity and trigger, from the MADT's overrides.
#pragma once

#include <stdint.h>

#include "kernel/acpi/madt.hpp"

namespace atoll_os::acpi {

struct IrqRoute {
    uint32_t gsi;
    bool active_low;
    bool level;
};

// Lines 0-15 are ISA IRQs: an override may move them to another GSI or
// change their polarity and trigger (ISA's own are active high, edge).
// Lines from 16 on are GSIs as they are, PCI style (active low, level)
// unless an override aimed at that GSI says otherwise. False when the line
// has no GSI of its own: an ISA IRQ whose GSI an override gave to another
// ISA IRQ (on PCs, IRQ 2, the 8259 cascade, when the timer took GSI 2), or
// a line beyond 32 bits.
bool route_irq_line(const MadtInterrupts& table, uint64_t line, IrqRoute& out);

} // namespace atoll_os::acpi
