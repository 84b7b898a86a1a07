// Irq: one device interrupt line, routed through the I/O APIC to a vector
// on the core that created it, and delivered as bits on a notification.
// When it fires the kernel masks the line, acknowledges the local APIC and
// signals; the driver quiets its device and acknowledges the Irq, which
// unmasks the line. So a level-triggered line cannot storm, and nothing
// queues in the kernel. An edge that comes while the line is masked is
// dropped by the I/O APIC: a driver of an edge-triggered device looks at
// the device again after acknowledging if it may have interrupted since.
//
// Only the boot core owns the I/O APIC (see ioapic.hpp), so only it creates
// Irq objects; a line has at most one Irq at a time. The last capability
// going masks the line and frees its vector.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class Notification;

class Irq final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kIrq;

    // `line`: ISA IRQ 0-15 (through the MADT's overrides) or a GSI from 16
    // on. Routed but masked; unmask() once a capability holds it.
    static Irq* create(Quota& payer, uint64_t line, Notification& target, uint64_t bits, Status& status);
    void destroy();
    // Unmasks the line (at creation, and when the driver acknowledges).
    void unmask();
    // Its vector arrived: mask the line and signal (the EOI follows).
    void fire();

    Irq(Quota& payer, uint32_t gsi, uint8_t vector, Notification& target, uint64_t bits);

private:
    Quota* payer_;
    Notification* target_;
    uint64_t bits_;
    uint32_t gsi_;
    uint8_t vector_;
};

// Boot core: sends every device vector to the Irq that holds it.
void install_device_vectors();

} // namespace atoll_os
