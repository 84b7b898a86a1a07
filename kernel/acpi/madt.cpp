// MADT: which processors the firmware says are present, where the local APIC
// lives, and how device interrupts reach the I/O APICs.
#include "kernel/acpi/madt.hpp"

#include "kernel/acpi/bytes.hpp"
#include "kernel/acpi/sdt.hpp"

namespace atoll_os::acpi {

namespace {

constexpr size_t kLapicAddrOffset = 36;
constexpr size_t kFlagsOffset = 40;
constexpr size_t kFirstEntry = 44;

constexpr uint8_t kTypeLocalApic = 0;
constexpr uint8_t kTypeIoApic = 1;
constexpr uint8_t kTypeSourceOverride = 2;
constexpr uint8_t kTypeLapicOverride = 5;
constexpr uint8_t kTypeLocalX2apic = 9;

constexpr uint32_t kFlagEnabled = 1u << 0;
constexpr uint32_t kFlagOnlineCapable = 1u << 1;
constexpr uint32_t kFlagPcatCompat = 1u << 0; // MADT header flags

struct Sink {
    MadtCpu* cpus;
    uint32_t capacity;
    MadtInfo& info;
    Diag& diag;
    bool overflow_reported;
};

void add_cpu(Sink& sink, unsigned index, const char* kind, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    if ((flags & kFlagEnabled) == 0) {
        if ((flags & kFlagOnlineCapable) != 0) {
            ++sink.info.online_capable;
        }
        return;
    }
    for (uint32_t i = 0; i < sink.info.cpu_count; ++i) {
        if (sink.cpus[i].apic_id == apic_id) {
            sink.diag.report("MADT: entry %u (%s) APIC id %u duplicates an earlier entry; skipped", index,
                             kind, apic_id);
            return;
        }
    }
    if (sink.info.cpu_count == sink.capacity) {
        if (!sink.overflow_reported) {
            sink.diag.report("MADT: entry %u (%s) APIC id %u exceeds the limit of %u processors; "
                             "it and later ones ignored",
                             index, kind, apic_id, sink.capacity);
            sink.overflow_reported = true;
        }
        return;
    }
    sink.cpus[sink.info.cpu_count++] = MadtCpu{apic_id, uid};
}

void add_ioapic(Sink& sink, unsigned index, const ByteView& e)
{
    MadtInterrupts& irq = sink.info.interrupts;
    if (e.size() < 12) {
        sink.diag.report("MADT: entry %u (I/O APIC) length %u (expected 12); skipped", index,
                         static_cast<unsigned>(e.size()));
        return;
    }
    if (irq.ioapic_count == kMaxIoApics) {
        sink.diag.report("MADT: entry %u (I/O APIC) id %u exceeds the limit of %u I/O APICs; skipped", index,
                         e.u8(2), kMaxIoApics);
        return;
    }
    if (e.u32(4) == 0) {
        sink.diag.report("MADT: entry %u (I/O APIC) id %u has address 0; skipped", index, e.u8(2));
        return;
    }
    irq.ioapics[irq.ioapic_count++] = MadtIoApic{e.u8(2), e.u32(4), e.u32(8)};
}

void add_override(Sink& sink, unsigned index, const ByteView& e)
{
    if (e.size() < 10) {
        sink.diag.report("MADT: entry %u (Interrupt Source Override) length %u (expected 10); skipped", index,
                         static_cast<unsigned>(e.size()));
        return;
    }
    const uint8_t bus = e.u8(2), source = e.u8(3);
    // ACPI defines bus 0 (ISA) only, and ISA has 16 IRQs.
    if (bus != 0 || source >= kIsaIrqs) {
        sink.diag.report("MADT: entry %u (Interrupt Source Override) bus %u source %u is not an ISA IRQ; skipped",
                         index, bus, source);
        return;
    }
    IsaOverride& o = sink.info.interrupts.isa[source];
    if (o.present) {
        sink.diag.report("MADT: entry %u (Interrupt Source Override) for ISA IRQ %u duplicates an earlier entry; "
                         "skipped", index, source);
        return;
    }
    uint16_t flags = e.u16(8);
    // Value 2 of either field is reserved: use what the bus defines.
    if ((flags & kIntiPolarityMask) == 2 || (flags & kIntiTriggerMask) == 8) {
        sink.diag.report("MADT: entry %u (Interrupt Source Override) ISA IRQ %u has reserved flags %#x; "
                         "using ISA's polarity and trigger for those", index, source, flags);
        if ((flags & kIntiPolarityMask) == 2) flags &= static_cast<uint16_t>(~kIntiPolarityMask);
        if ((flags & kIntiTriggerMask) == 8) flags &= static_cast<uint16_t>(~kIntiTriggerMask);
    }
    o = IsaOverride{true, static_cast<uint16_t>(flags & (kIntiPolarityMask | kIntiTriggerMask)), e.u32(4)};
}

} // namespace

bool parse_madt(const uint8_t* table, size_t len, MadtCpu* cpus, uint32_t capacity, MadtInfo& out,
                Diag& diag)
{
    out = MadtInfo{};
    out.lapic_phys = kDefaultLapicPhys;
    const uint32_t length = validate_sdt(table, len, "APIC", diag);
    if (length == 0) {
        return false;
    }
    const ByteView v(table, length);
    if (!v.has(0, kFirstEntry)) {
        diag.report("MADT: table length %u too short for the local APIC address and flags (expected >= %u)",
                    length, static_cast<unsigned>(kFirstEntry));
        return false;
    }

    uint64_t lapic = v.u32(kLapicAddrOffset);
    out.interrupts.pcat_compat = (v.u32(kFlagsOffset) & kFlagPcatCompat) != 0;
    Sink sink{cpus, cpus == nullptr ? 0 : capacity, out, diag, false};
    unsigned index = 0;
    for (size_t off = kFirstEntry; off < length; ++index) {
        if (!v.has(off, 2)) {
            diag.report("MADT: entry %u at offset %u: 1 trailing byte cannot hold an entry header", index,
                        static_cast<unsigned>(off));
            break;
        }
        const uint8_t type = v.u8(off);
        const uint8_t elen = v.u8(off + 1);
        if (elen < 2) {
            diag.report("MADT: entry %u (type %u) length %u (expected >= 2); rest of table ignored", index,
                        type, elen);
            break;
        }
        if (!v.has(off, elen)) {
            diag.report("MADT: entry %u (type %u) length %u runs past table end (%u bytes)", index, type, elen,
                        length);
            break;
        }
        const ByteView e = v.sub(off, elen);
        off += elen;

        switch (type) {
        case kTypeLocalApic:
            if (elen < 8) {
                diag.report("MADT: entry %u (Local APIC) length %u (expected 8); skipped", index, elen);
                break;
            }
            // 0xFF is the xAPIC broadcast id; firmware uses it for absent slots.
            if (e.u8(3) == 0xFF) {
                if ((e.u32(4) & kFlagEnabled) != 0) {
                    diag.report("MADT: entry %u (Local APIC) is enabled with broadcast APIC id 255; skipped",
                                index);
                }
                break;
            }
            add_cpu(sink, index, "Local APIC", e.u8(3), e.u8(2), e.u32(4));
            break;
        case kTypeLocalX2apic:
            if (elen < 16) {
                diag.report("MADT: entry %u (Local x2APIC) length %u (expected 16); skipped", index, elen);
                break;
            }
            if (e.u32(4) == 0xFFFFFFFF) {
                if ((e.u32(8) & kFlagEnabled) != 0) {
                    diag.report("MADT: entry %u (Local x2APIC) is enabled with broadcast x2APIC id; skipped",
                                index);
                }
                break;
            }
            add_cpu(sink, index, "Local x2APIC", e.u32(4), e.u32(12), e.u32(8));
            break;
        case kTypeLapicOverride:
            if (elen < 12) {
                diag.report("MADT: entry %u (Local APIC Address Override) length %u (expected 12); skipped",
                            index, elen);
                break;
            }
            lapic = e.u64(4);
            break;
        case kTypeIoApic:
            add_ioapic(sink, index, e);
            break;
        case kTypeSourceOverride:
            add_override(sink, index, e);
            break;
        default:
            break;  // NMI sources and the rest: not used
        }
    }

    if (lapic == 0) {
        diag.report("MADT: local APIC address is 0; using 0x%llx", static_cast<unsigned long long>(kDefaultLapicPhys));
        lapic = kDefaultLapicPhys;
    }
    out.lapic_phys = lapic;
    return true;
}

} // namespace atoll_os::acpi
