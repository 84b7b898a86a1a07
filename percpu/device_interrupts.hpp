// The boot core takes over the I/O APICs: device interrupts are delivered
// to core 0 only, so it alone maps and programs them and alone creates Irq
// objects. The other instances never see a device interrupt.
#pragma once

namespace atoll_os {

// Boot core, once its local APIC runs: maps the I/O APICs the MADT names,
// masks all their inputs (and the 8259s) and readies the device vectors.
void start_device_interrupts();

} // namespace atoll_os
