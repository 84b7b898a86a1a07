// MADT: which processors the firmware says are present, and where the local APIC lives.
#include "kernel/acpi/madt.hpp"

#include "kernel/acpi/bytes.hpp"
#include "kernel/acpi/sdt.hpp"

namespace atoll_os::acpi {

namespace {

constexpr size_t kLapicAddrOffset = 36;
constexpr size_t kFirstEntry = 44;

constexpr uint8_t kTypeLocalApic = 0;
constexpr uint8_t kTypeLapicOverride = 5;
constexpr uint8_t kTypeLocalX2apic = 9;

constexpr uint32_t kFlagEnabled = 1u << 0;
constexpr uint32_t kFlagOnlineCapable = 1u << 1;

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

} // namespace

bool parse_madt(const uint8_t* table, size_t len, MadtCpu* cpus, uint32_t capacity, MadtInfo& out,
                Diag& diag)
{
    out = MadtInfo{kDefaultLapicPhys, 0, 0};
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
        default:
            break;  // I/O APICs, overrides, NMIs: not topology
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
