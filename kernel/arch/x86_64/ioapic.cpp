// I/O APIC driver: the redirection table through the index/data window.
#include "kernel/arch/x86_64/ioapic.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/log.hpp"
#include "percpu/layout.hpp"

namespace atoll_os {
namespace {

IoApics g_io_apics; // per core like every global; core 0's is the one in use

constexpr uint32_t kRegSelect = 0x00, kRegWindow = 0x10;
constexpr uint32_t kVersion = 0x01;
constexpr uint32_t kRedirection = 0x10; // two registers per input, low word first
constexpr uint32_t kMasked = 1u << 16, kLevel = 1u << 15, kActiveLow = 1u << 13;

// The 8259s' data ports: all ones masks every input.
constexpr uint16_t kPicMasterData = 0x21, kPicSlaveData = 0xa1;

} // namespace

IoApics& io_apics() { return g_io_apics; }

uint32_t IoApics::read(const Chip& c, uint32_t reg)
{
    *reinterpret_cast<volatile uint32_t*>(c.regs + kRegSelect) = reg;
    return *reinterpret_cast<volatile uint32_t*>(c.regs + kRegWindow);
}

void IoApics::write(const Chip& c, uint32_t reg, uint32_t value)
{
    *reinterpret_cast<volatile uint32_t*>(c.regs + kRegSelect) = reg;
    *reinterpret_cast<volatile uint32_t*>(c.regs + kRegWindow) = value;
}

void IoApics::init(const acpi::MadtInterrupts& table, uint32_t dest_apic_id)
{
    if (table.pcat_compat) {
        // Their inputs also reach the I/O APICs; the 8259s' own output
        // (LINT0, masked by every local APIC) must stay quiet as well.
        cpu::outb(kPicMasterData, 0xff);
        cpu::outb(kPicSlaveData, 0xff);
    }
    if (dest_apic_id > 0xff) {
        // Physical destination mode holds 8 bits; more needs interrupt remapping.
        klog("ioapic: boot core APIC id %u cannot be addressed by an I/O APIC; no device interrupts",
             dest_apic_id);
        return;
    }
    dest_ = dest_apic_id;
    uint32_t total = 0;
    for (uint32_t i = 0; i < table.ioapic_count; ++i) {
        Chip c{phys_to_virt(table.ioapics[i].phys), table.ioapics[i].gsi_base, 0};
        const uint32_t version = read(c, kVersion);
        if (version == 0xffffffff) { // nothing answers at that address
            klog("ioapic: id %u at %#x does not answer; not used", table.ioapics[i].id, table.ioapics[i].phys);
            continue;
        }
        c.inputs = ((version >> 16) & 0xff) + 1;
        for (uint32_t pin = 0; pin < c.inputs; ++pin) {
            write(c, kRedirection + 2 * pin + 1, 0);
            write(c, kRedirection + 2 * pin, kMasked);
        }
        chips_[count_++] = c;
        total += c.inputs;
        klog("ioapic: id %u at %#x: GSI %u-%u", table.ioapics[i].id, table.ioapics[i].phys, c.gsi_base,
             c.gsi_base + c.inputs - 1);
    }
    if (count_ == 0) klog("ioapic: the MADT names no I/O APIC; no device interrupts");
    else klog("ioapic: %u input(s) masked, delivered to APIC id %u when routed", total, dest_);
}

const IoApics::Chip* IoApics::find(uint32_t gsi) const
{
    for (uint32_t i = 0; i < count_; ++i)
        if (gsi >= chips_[i].gsi_base && gsi - chips_[i].gsi_base < chips_[i].inputs) return &chips_[i];
    return nullptr;
}

void IoApics::route(uint32_t gsi, uint8_t vector, bool active_low, bool level)
{
    const Chip* c = find(gsi);
    if (!c) return;
    const uint32_t pin = gsi - c->gsi_base;
    // Fixed delivery, physical destination; masked first so a half-written
    // entry never delivers.
    write(*c, kRedirection + 2 * pin, kMasked);
    write(*c, kRedirection + 2 * pin + 1, dest_ << 24);
    write(*c, kRedirection + 2 * pin, kMasked | vector | (level ? kLevel : 0) | (active_low ? kActiveLow : 0));
}

void IoApics::set_masked(uint32_t gsi, bool masked)
{
    const Chip* c = find(gsi);
    if (!c) return;
    const uint32_t reg = kRedirection + 2 * (gsi - c->gsi_base);
    const uint32_t low = read(*c, reg);
    write(*c, reg, masked ? low | kMasked : low & ~kMasked);
}

void IoApics::mask(uint32_t gsi) { set_masked(gsi, true); }
void IoApics::unmask(uint32_t gsi) { set_masked(gsi, false); }

} // namespace atoll_os
