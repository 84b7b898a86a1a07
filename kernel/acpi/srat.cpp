// SRAT: which NUMA proximity domain each processor and memory range belongs to.
#include "kernel/acpi/srat.hpp"

#include "kernel/acpi/bytes.hpp"
#include "kernel/acpi/sdt.hpp"

namespace atoll_os::acpi {

namespace {

constexpr size_t kFirstEntry = 48;  // header, table revision (4), reserved (8)

constexpr uint8_t kTypeLapicAffinity = 0;
constexpr uint8_t kTypeMemAffinity = 1;
constexpr uint8_t kTypeX2apicAffinity = 2;

constexpr uint32_t kFlagEnabled = 1u << 0;
constexpr uint32_t kFlagHotplug = 1u << 1;

struct Sink {
    SratCpu* cpus;
    uint32_t cpu_capacity;
    NodeMemRange* mem;
    uint32_t mem_capacity;
    SratInfo& info;
    Diag& diag;
    bool cpu_overflow_reported;
    bool mem_overflow_reported;
};

// Dense node for a domain, allocating one on first sight; -1 once full.
int intern(Sink& sink, unsigned index, uint32_t domain)
{
    DomainMap& map = sink.info.nodes;
    if (const int node = map.node_of(domain); node >= 0) {
        return node;
    }
    if (map.count == kMaxNodes) {
        sink.diag.report("SRAT: entry %u proximity domain %u would be node %u (limit %u); skipped", index,
                         domain, map.count, kMaxNodes);
        return -1;
    }
    map.domain[map.count] = domain;
    return static_cast<int>(map.count++);
}

void add_cpu(Sink& sink, unsigned index, uint32_t apic_id, uint32_t domain)
{
    for (uint32_t i = 0; i < sink.info.cpu_count; ++i) {
        if (sink.cpus[i].apic_id == apic_id) {
            sink.diag.report("SRAT: entry %u APIC id %u already has an affinity entry; skipped", index,
                             apic_id);
            return;
        }
    }
    if (sink.info.cpu_count == sink.cpu_capacity) {
        if (!sink.cpu_overflow_reported) {
            sink.diag.report("SRAT: entry %u APIC id %u exceeds the limit of %u processors; "
                             "it and later ones ignored",
                             index, apic_id, sink.cpu_capacity);
            sink.cpu_overflow_reported = true;
        }
        return;
    }
    const int node = intern(sink, index, domain);
    if (node < 0) {
        return;
    }
    sink.cpus[sink.info.cpu_count++] = SratCpu{apic_id, static_cast<uint16_t>(node)};
}

void add_mem(Sink& sink, unsigned index, uint64_t base, uint64_t length, uint32_t domain, bool hotplug)
{
    // Firmware pads SRATs with empty entries (QEMU does); they mean nothing.
    if (length == 0) {
        return;
    }
    if (base + length < base) {
        sink.diag.report("SRAT: entry %u memory range base 0x%llx length 0x%llx wraps past 2^64; skipped",
                         index, static_cast<unsigned long long>(base), static_cast<unsigned long long>(length));
        return;
    }
    for (uint32_t i = 0; i < sink.info.mem_count; ++i) {
        const NodeMemRange& r = sink.mem[i];
        if (base < r.base + r.length && r.base < base + length) {
            sink.diag.report("SRAT: entry %u memory range [0x%llx, 0x%llx) overlaps an earlier range "
                             "[0x%llx, 0x%llx); skipped",
                             index, static_cast<unsigned long long>(base),
                             static_cast<unsigned long long>(base + length), static_cast<unsigned long long>(r.base),
                             static_cast<unsigned long long>(r.base + r.length));
            return;
        }
    }
    if (sink.info.mem_count == sink.mem_capacity) {
        if (!sink.mem_overflow_reported) {
            sink.diag.report("SRAT: entry %u exceeds the limit of %u memory ranges; it and later ones ignored",
                             index, sink.mem_capacity);
            sink.mem_overflow_reported = true;
        }
        return;
    }
    const int node = intern(sink, index, domain);
    if (node < 0) {
        return;
    }
    sink.mem[sink.info.mem_count++] = NodeMemRange{base, length, static_cast<uint16_t>(node), hotplug};
}

} // namespace

int DomainMap::node_of(uint32_t proximity_domain) const
{
    for (uint32_t i = 0; i < count && i < kMaxNodes; ++i) {
        if (domain[i] == proximity_domain) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

bool parse_srat(const uint8_t* table, size_t len, SratCpu* cpus, uint32_t cpu_capacity, NodeMemRange* mem,
                uint32_t mem_capacity, SratInfo& out, Diag& diag)
{
    out = SratInfo{};
    const uint32_t length = validate_sdt(table, len, "SRAT", diag);
    if (length == 0) {
        return false;
    }
    const ByteView v(table, length);
    if (!v.has(0, kFirstEntry)) {
        diag.report("SRAT: table length %u too short for the reserved fields (expected >= %u)", length,
                    static_cast<unsigned>(kFirstEntry));
        return false;
    }

    Sink sink{cpus,
              cpus == nullptr ? 0 : cpu_capacity,
              mem,
              mem == nullptr ? 0 : mem_capacity,
              out,
              diag,
              false,
              false};
    // A broken entry chain means we cannot tell which affinities are real:
    // half an SRAT would place cores on nodes the firmware never meant, so
    // the whole table is rejected and the caller falls back to one node.
    unsigned index = 0;
    for (size_t off = kFirstEntry; off < length; ++index) {
        if (!v.has(off, 2)) {
            diag.report("SRAT: entry %u at offset %u: 1 trailing byte cannot hold an entry header; table rejected",
                        index, static_cast<unsigned>(off));
            return false;
        }
        const uint8_t type = v.u8(off);
        const uint8_t elen = v.u8(off + 1);
        if (elen < 2) {
            diag.report("SRAT: entry %u (type %u) length %u (expected >= 2); table rejected", index, type, elen);
            return false;
        }
        if (!v.has(off, elen)) {
            diag.report("SRAT: entry %u (type %u) length %u runs past table end (%u bytes); table rejected", index,
                        type, elen, length);
            return false;
        }
        const ByteView e = v.sub(off, elen);
        off += elen;

        switch (type) {
        case kTypeLapicAffinity: {
            if (elen < 16) {
                diag.report("SRAT: entry %u (Processor Local APIC Affinity) length %u (expected 16); skipped",
                            index, elen);
                break;
            }
            if ((e.u32(4) & kFlagEnabled) == 0) {
                break;
            }
            // The domain is split: bits 7:0 at offset 2, bits 31:8 at offset 9.
            const uint32_t domain = e.u8(2) | static_cast<uint32_t>(e.u8(9)) << 8 |
                                    static_cast<uint32_t>(e.u8(10)) << 16 | static_cast<uint32_t>(e.u8(11)) << 24;
            add_cpu(sink, index, e.u8(3), domain);
            break;
        }
        case kTypeX2apicAffinity:
            if (elen < 24) {
                diag.report("SRAT: entry %u (Processor Local x2APIC Affinity) length %u (expected 24); skipped",
                            index, elen);
                break;
            }
            if ((e.u32(12) & kFlagEnabled) == 0) {
                break;
            }
            add_cpu(sink, index, e.u32(8), e.u32(4));
            break;
        case kTypeMemAffinity: {
            if (elen < 40) {
                diag.report("SRAT: entry %u (Memory Affinity) length %u (expected 40); skipped", index, elen);
                break;
            }
            const uint32_t flags = e.u32(28);
            if ((flags & kFlagEnabled) == 0) {
                break;
            }
            add_mem(sink, index, e.u64(8), e.u64(16), e.u32(2), (flags & kFlagHotplug) != 0);
            break;
        }
        default:
            break;  // GICC, ITS, generic initiators: not on this architecture's path
        }
    }
    return true;
}

} // namespace atoll_os::acpi
