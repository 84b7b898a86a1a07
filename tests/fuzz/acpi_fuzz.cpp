// libFuzzer target: arbitrary bytes as RSDP, MADT, SRAT, SLIT, CPUID answers and whole physical memory.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "kernel/acpi/irq_route.hpp"
#include "kernel/acpi/madt.hpp"
#include "kernel/acpi/rsdp.hpp"
#include "kernel/acpi/sdt.hpp"
#include "kernel/acpi/slit.hpp"
#include "kernel/acpi/srat.hpp"
#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "kernel/lib/diag.hpp"
#include "percpu/topology.hpp"

namespace {

using namespace atoll_os;

// Formats every report, so a format string and its arguments that disagree
// show up as a sanitizer error rather than garbage in the kernel log.
class FormattingDiag final : public Diag {
protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        char buf[256];
        std::vsnprintf(buf, sizeof buf, fmt, args);
    }
};

// Copies are heap blocks of exactly the input's size, so ASan reports a read
// even one byte past what the parser was given.
class Copy {
public:
    Copy(const uint8_t* data, size_t size) : bytes_(new uint8_t[size ? size : 1]), size_(size)
    {
        if (size != 0) {
            std::memcpy(bytes_.get(), data, size);
        }
    }
    uint8_t* data() { return bytes_.get(); }
    size_t size() const { return size_; }

private:
    std::unique_ptr<uint8_t[]> bytes_;
    size_t size_;
};

uint32_t load32(const uint8_t* p)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

void fix_checksum(uint8_t* p, size_t len, size_t at)
{
    p[at] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; ++i) {
        sum = static_cast<uint8_t>(sum + p[i]);
    }
    p[at] = static_cast<uint8_t>(-sum);
}

// Random bytes almost never carry a valid checksum; repairing it lets the
// fuzzer past the header into the entry parsers.
void fix_sdt_checksum(uint8_t* p, size_t avail)
{
    if (avail < acpi::kSdtHeaderSize) {
        return;
    }
    const size_t len = load32(p + 4) < avail ? load32(p + 4) : avail;
    if (len > 9) {
        fix_checksum(p, len, 9);
    }
}

// Physical memory is the input, starting at address 0. With `repair`, every
// table header the walker maps has its checksum fixed first.
class InputMemory final : public acpi::TableSource {
public:
    InputMemory(uint8_t* data, size_t size, bool repair) : data_(data), size_(size), repair_(repair) {}

    const uint8_t* map(uint64_t phys, size_t len) override
    {
        if (phys > size_ || len > size_ - phys) {
            return nullptr;
        }
        if (repair_ && len == acpi::kSdtHeaderSize) {
            fix_sdt_checksum(data_ + phys, size_ - phys);
        }
        return data_ + phys;
    }

private:
    uint8_t* data_;
    size_t size_;
    bool repair_;
};

void check(bool ok)
{
    if (!ok) {
        __builtin_trap();
    }
}

void parse_tables(const uint8_t* p, size_t n, Diag& diag)
{
    static acpi::MadtCpu madt_cpus[kMaxCores];
    acpi::MadtInfo madt{};
    acpi::parse_madt(p, n, madt_cpus, kMaxCores, madt, diag);
    check(madt.cpu_count <= kMaxCores && madt.interrupts.ioapic_count <= acpi::kMaxIoApics);
    // Every line routes or is refused; a GSI line stays that GSI.
    for (uint32_t line = 0; line < 40; ++line) {
        acpi::IrqRoute route{};
        if (acpi::route_irq_line(madt.interrupts, line, route) && line >= acpi::kIsaIrqs) check(route.gsi == line);
    }

    static acpi::SratCpu srat_cpus[kMaxCores];
    static NodeMemRange mem[kMaxNodeMemRanges];
    acpi::SratInfo srat{};
    acpi::parse_srat(p, n, srat_cpus, kMaxCores, mem, kMaxNodeMemRanges, srat, diag);
    check(srat.cpu_count <= kMaxCores && srat.mem_count <= kMaxNodeMemRanges && srat.nodes.count <= kMaxNodes);
    for (uint32_t i = 0; i < srat.cpu_count; ++i) {
        check(srat_cpus[i].node < srat.nodes.count);
    }

    static acpi::DistanceMatrix distance;
    acpi::parse_slit(p, n, srat.nodes, distance, diag);
    // Also against a dense map whose size the input picks, to reach the matrix checks.
    acpi::DomainMap dense{};
    dense.count = n > 36 ? p[36] % (kMaxNodes + 1) : 0;
    for (uint32_t i = 0; i < dense.count; ++i) {
        dense.domain[i] = i;
    }
    acpi::parse_slit(p, n, dense, distance, diag);
}

void check_topology(const Topology& t)
{
    check(t.core_count >= 1 && t.core_count <= kMaxCores);
    check(t.node_count >= 1 && t.node_count <= kMaxNodes);
    check(t.mem_range_count <= kMaxNodeMemRanges);
    for (uint32_t i = 0; i < t.core_count; ++i) {
        check(t.cores[i].node < t.node_count);
        check(t.core_index_of_apic(t.cores[i].apic_id) == static_cast<int>(i));
    }
    for (uint32_t i = 0; i < t.mem_range_count; ++i) {
        check(t.mem[i].node < t.node_count);
    }
}

void whole_memory(const uint8_t* data, size_t size, bool repair, Diag& diag)
{
    static Topology topo;  // 13 KiB; kept off the stack like the kernel's copy
    Copy mem(data, size);
    InputMemory src(mem.data(), size, repair);
    const uint8_t* rsdp = nullptr;
    if (repair) {
        // The RSDP sits at address 0 with checksums made valid.
        if (size >= acpi::kRsdpV1Size) {
            fix_checksum(mem.data(), acpi::kRsdpV1Size, 8);
        }
        if (size >= acpi::kRsdpV2Size) {
            fix_checksum(mem.data(), acpi::kRsdpV2Size, 32);
        }
        rsdp = mem.data();
    } else {
        rsdp = acpi::find_rsdp(mem.data(), size);
    }
    const size_t rsdp_len = rsdp ? size - static_cast<size_t>(rsdp - mem.data()) : 0;

    // The input's tail chooses the boot core and APIC id layout, odd shifts included.
    uint8_t tail[8] = {};
    std::memcpy(tail, data + (size > 8 ? size - 8 : 0), size < 8 ? size : 8);
    const ApicIdLayout layout{tail[0], tail[1], tail[2], tail[3]};
    uint32_t boot = 0;
    std::memcpy(&boot, tail + 4, 4);
    if ((tail[0] & 1) == 0) {
        boot &= 0xFF;  // usually a plausible id, so it can match MADT entries
    }
    build_topology(src, rsdp, rsdp_len, boot, layout, 0, size, topo, diag);
    check_topology(topo);
    check(topo.cores[0].apic_id == boot);
}

struct CpuidInput {
    const uint8_t* data;
    size_t size;
};

// The same (leaf, subleaf) always gets the same registers, as on a real CPU.
void cpuid_from_input(uint32_t leaf, uint32_t subleaf, uint32_t out[4], void* ctx)
{
    const CpuidInput& in = *static_cast<const CpuidInput*>(ctx);
    const uint32_t h = leaf * 0x9E3779B1u ^ (subleaf + 1) * 0x85EBCA77u;
    for (int r = 0; r < 4; ++r) {
        uint32_t v = 0;
        for (int b = 0; b < 4; ++b) {
            const size_t i = (h + static_cast<uint32_t>(r * 4 + b)) % in.size;
            v |= static_cast<uint32_t>(in.data[i]) << (8 * b);
        }
        out[r] = v;
    }
    // Small maximum leaves keep the decoder on leaves that exist.
    if (leaf == 0) {
        out[0] &= 0x3F;
    } else if (leaf == 0x80000000) {
        out[0] = 0x80000000 | (out[0] & 0x3F);
    }
}

void cpuid(const uint8_t* data, size_t size)
{
    if (size == 0) {
        return;
    }
    CpuidInput in{data, size};
    const ApicIdLayout l = decode_apic_id_layout(&cpuid_from_input, &in);
    check(l.smt_shift <= l.core_shift && l.core_shift <= 32 && l.l2_shift <= 32 && l.l3_shift <= 32);
    const uint32_t id = current_apic_id_from_cpuid(&cpuid_from_input, &in);
    const ApicIdParts parts = decompose(id, l);
    check(l.core_shift >= 32 || parts.package == id >> l.core_shift);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FormattingDiag diag;

    acpi::find_rsdp(data, size);
    acpi::Rsdp rsdp{};
    acpi::parse_rsdp(data, size, rsdp, diag);

    parse_tables(data, size, diag);
    for (const char* sig : {"APIC", "SRAT", "SLIT"}) {
        Copy table(data, size);
        if (size >= 4) {
            std::memcpy(table.data(), sig, 4);
        }
        fix_sdt_checksum(table.data(), size);
        parse_tables(table.data(), size, diag);
    }

    whole_memory(data, size, false, diag);
    whole_memory(data, size, true, diag);
    cpuid(data, size);
    return 0;
}
