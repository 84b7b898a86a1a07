// Routing device interrupt lines through the MADT's interrupt source overrides.
#include "kernel/acpi/irq_route.hpp"

namespace atoll_os::acpi {
namespace {

// Fills polarity and trigger from INTI flags, `bus_*` where they conform.
void apply_flags(uint16_t flags, bool bus_active_low, bool bus_level, IrqRoute& out)
{
    const uint16_t polarity = flags & kIntiPolarityMask, trigger = flags & kIntiTriggerMask;
    out.active_low = polarity == kIntiActiveLow || (polarity == 0 && bus_active_low);
    out.level = trigger == kIntiLevel || (trigger == 0 && bus_level);
}

} // namespace

bool route_irq_line(const MadtInterrupts& table, uint64_t line, IrqRoute& out)
{
    if (line < kIsaIrqs) {
        const IsaOverride& own = table.isa[line];
        if (own.present) {
            out.gsi = own.gsi;
            apply_flags(own.flags, false, false, out);
            return true;
        }
        for (uint32_t other = 0; other < kIsaIrqs; ++other)
            if (other != line && table.isa[other].present && table.isa[other].gsi == line) return false;
        out = IrqRoute{static_cast<uint32_t>(line), false, false};
        return true;
    }
    if (line > UINT32_MAX) return false;
    out = IrqRoute{static_cast<uint32_t>(line), true, true};
    // An ISA IRQ moved onto this GSI keeps the flags its override gave it.
    for (const IsaOverride& o : table.isa)
        if (o.present && o.gsi == line) apply_flags(o.flags, false, false, out);
    return true;
}

} // namespace atoll_os::acpi
