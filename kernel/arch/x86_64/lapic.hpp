// The local APIC of the current core: x2APIC through MSRs when the CPU has
// it, xAPIC through MMIO otherwise. Every core drives only its own APIC;
// IPIs are the doorbells of the inter-core channels.
#pragma once

#include <stdint.h>

namespace atoll_os {

class Lapic {
public:
    // Enables the APIC in the best mode the CPU offers. `mmio_virt` is where
    // this core mapped the xAPIC page (ignored in x2APIC mode).
    void init(uint64_t mmio_virt);
    bool ready() const { return ready_; }
    bool x2apic() const { return x2apic_; }
    uint32_t id() const;

    void eoi();
    void send_ipi(uint32_t apic_id, uint8_t vector);
    void send_nmi_to_others();
    void send_init(uint32_t apic_id);
    void send_startup(uint32_t apic_id, uint8_t page);

    // Timer, one-shot TSC-deadline or periodic.
    void timer_periodic(uint8_t vector, uint32_t initial_count);
    void timer_deadline_mode(uint8_t vector);
    void timer_masked_count(uint32_t initial_count); // for calibration
    uint32_t timer_current() const;

private:
    uint32_t read(uint32_t reg) const;
    void write(uint32_t reg, uint32_t value);
    void write_icr(uint32_t dest, uint32_t low);

    uint64_t mmio_ = 0;
    bool x2apic_ = false;
    bool ready_ = false;
};

Lapic& lapic();

} // namespace atoll_os
