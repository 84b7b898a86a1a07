// Local APIC driver, x2APIC (MSR) or xAPIC (MMIO).
#include "kernel/arch/x86_64/lapic.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"

namespace atoll_os {
namespace {

Lapic g_lapic; // per core, like every kernel global

enum Reg : uint32_t {
    kId = 0x20, kTpr = 0x80, kEoi = 0xb0, kSpuriousReg = 0xf0, kEsr = 0x280,
    kIcrLow = 0x300, kIcrHigh = 0x310, kLvtTimer = 0x320, kLvtLint0 = 0x350,
    kLvtLint1 = 0x360, kLvtError = 0x370, kTimerInit = 0x380, kTimerCurrent = 0x390,
    kTimerDivide = 0x3e0,
};
constexpr uint32_t kMasked = 1u << 16;
constexpr uint32_t kDeliveryPending = 1u << 12;

} // namespace

Lapic& lapic() { return g_lapic; }

void Lapic::init(uint64_t mmio_virt)
{
    mmio_ = mmio_virt;
    x2apic_ = cpu::cpuid(1).ecx & (1u << 21);
    uint64_t base = cpu::rdmsr(cpu::msr::kApicBase);
    base |= 1u << 11;                 // global enable
    if (x2apic_) base |= 1u << 10;    // x2APIC mode
    cpu::wrmsr(cpu::msr::kApicBase, base);

    write(kTpr, 0);
    write(kLvtLint0, kMasked);
    write(kLvtLint1, kMasked);
    write(kLvtError, kMasked);
    write(kLvtTimer, kMasked);
    write(kSpuriousReg, 0x100 | vector::kSpurious); // software enable
    if (!x2apic_) {
        write(kEsr, 0); // ESR needs a write before it can be read
    }
    ready_ = true;
}

uint32_t Lapic::read(uint32_t reg) const
{
    if (x2apic_) return uint32_t(cpu::rdmsr(0x800 + (reg >> 4)));
    return *reinterpret_cast<volatile uint32_t*>(mmio_ + reg);
}

void Lapic::write(uint32_t reg, uint32_t value)
{
    if (x2apic_) {
        cpu::wrmsr(0x800 + (reg >> 4), value);
        return;
    }
    *reinterpret_cast<volatile uint32_t*>(mmio_ + reg) = value;
}

uint32_t Lapic::id() const { return x2apic_ ? read(kId) : read(kId) >> 24; }

void Lapic::eoi() { write(kEoi, 0); }

void Lapic::write_icr(uint32_t dest, uint32_t low)
{
    if (x2apic_) {
        // x2APIC ICR writes are a single MSR and complete immediately.
        cpu::wrmsr(0x830, (uint64_t(dest) << 32) | low);
        return;
    }
    write(kIcrHigh, dest << 24);
    write(kIcrLow, low);
    for (int spin = 0; spin < 1000000 && (read(kIcrLow) & kDeliveryPending); ++spin) cpu::pause();
}

void Lapic::send_ipi(uint32_t apic_id, uint8_t vec) { write_icr(apic_id, vec); }

void Lapic::send_nmi_to_others()
{
    write_icr(0, (3u << 18) /* all excluding self */ | (4u << 8) /* NMI */ | (1u << 14));
}

void Lapic::send_init(uint32_t apic_id)
{
    write_icr(apic_id, (5u << 8) | (1u << 14) /* assert */);
}

void Lapic::send_startup(uint32_t apic_id, uint8_t page)
{
    write_icr(apic_id, (6u << 8) | page);
}

void Lapic::timer_periodic(uint8_t vec, uint32_t initial_count)
{
    write(kTimerDivide, 0x3); // divide by 16
    write(kLvtTimer, (1u << 17) | vec);
    write(kTimerInit, initial_count);
}

void Lapic::timer_deadline_mode(uint8_t vec)
{
    write(kLvtTimer, (2u << 17) | vec);
    asm volatile("mfence" ::: "memory"); // SDM: order the LVT write before the deadline MSR
}

void Lapic::timer_masked_count(uint32_t initial_count)
{
    write(kTimerDivide, 0x3);
    write(kLvtTimer, kMasked);
    write(kTimerInit, initial_count);
}

uint32_t Lapic::timer_current() const { return read(kTimerCurrent); }

} // namespace atoll_os
