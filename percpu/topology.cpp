// Topology: the read-only per-boot table of cores, NUMA nodes and distances.
#include "percpu/topology.hpp"

#include "kernel/acpi/madt.hpp"
#include "kernel/acpi/rsdp.hpp"
#include "kernel/acpi/sdt.hpp"
#include "kernel/acpi/slit.hpp"
#include "kernel/acpi/srat.hpp"
#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "kernel/lib/diag.hpp"

namespace atoll_os {

namespace {

void add_core(Topology& out, uint32_t apic_id, uint32_t acpi_uid, const ApicIdLayout& layout)
{
    const ApicIdParts parts = decompose(apic_id, layout);
    CoreInfo& core = out.cores[out.core_count++];
    core.apic_id = apic_id;
    core.acpi_uid = acpi_uid;
    // Ids wider than 16 bits do not occur on real packages; truncation only
    // affects labels, never which core is which (apic_id stays exact).
    core.package = static_cast<uint16_t>(parts.package);
    core.core = static_cast<uint16_t>(parts.core);
    core.thread = static_cast<uint16_t>(parts.thread);
    core.node = 0;
    core.l2_group = apic_id_group(apic_id, layout.l2_shift);
    core.l3_group = apic_id_group(apic_id, layout.l3_shift);
}

// Boot core first (the MADT might not list it, or list it late), then the
// MADT's processors in table order.
void fill_cores(Topology& out, const acpi::MadtCpu* cpus, uint32_t count, uint32_t boot_apic_id,
                const ApicIdLayout& layout, Diag& diag)
{
    uint32_t boot_uid = kUnknownAcpiUid;
    bool boot_listed = false;
    for (uint32_t i = 0; i < count; ++i) {
        if (cpus[i].apic_id == boot_apic_id) {
            boot_uid = cpus[i].acpi_uid;
            boot_listed = true;
        }
    }
    if (!boot_listed && count != 0) {
        diag.report("MADT: boot core APIC id %u is not listed as an enabled processor; added", boot_apic_id);
    }
    add_core(out, boot_apic_id, boot_uid, layout);
    for (uint32_t i = 0; i < count; ++i) {
        if (cpus[i].apic_id == boot_apic_id) {
            continue;
        }
        if (out.core_count == kMaxCores) {
            diag.report("MADT: APIC id %u dropped to make room for the boot core (limit %u)", cpus[i].apic_id,
                        kMaxCores);
            continue;
        }
        add_core(out, cpus[i].apic_id, cpus[i].acpi_uid, layout);
    }
}

void discover_cores(acpi::TableSource& src, const acpi::Rsdp* rsdp, uint32_t boot_apic_id,
                    const ApicIdLayout& layout, Topology& out, Diag& diag)
{
    acpi::MadtCpu cpus[kMaxCores];
    acpi::MadtInfo info{};
    info.lapic_phys = acpi::kDefaultLapicPhys;
    size_t len = 0;
    const uint8_t* madt = rsdp ? acpi::find_table(src, *rsdp, "APIC", &len, diag) : nullptr;
    if (rsdp != nullptr && madt == nullptr) {
        diag.report("MADT: no valid table found; using the boot core only");
    }
    if (madt != nullptr && acpi::parse_madt(madt, len, cpus, kMaxCores, info, diag)) {
        if (info.cpu_count == 0) {
            diag.report("MADT: lists no enabled processors; using the boot core only");
        } else {
            out.from_madt = true;
        }
        out.lapic_phys = info.lapic_phys;
        out.interrupts = info.interrupts;
    }
    fill_cores(out, cpus, out.from_madt ? info.cpu_count : 0, boot_apic_id, layout, diag);
}

void one_node(Topology& out, uint64_t mem_base, uint64_t mem_end)
{
    out.node_count = 1;
    out.mem_range_count = 0;
    if (mem_end > mem_base) {
        out.mem[0] = NodeMemRange{mem_base, mem_end - mem_base, 0, false};
        out.mem_range_count = 1;
    }
    for (uint32_t i = 0; i < out.core_count; ++i) {
        out.cores[i].node = 0;
    }
}

// True when the SRAT was used; nodes then holds its domain map for the SLIT.
bool discover_nodes(acpi::TableSource& src, const acpi::Rsdp* rsdp, uint64_t mem_base, uint64_t mem_end,
                    Topology& out, acpi::DomainMap& nodes, Diag& diag)
{
    size_t len = 0;
    const uint8_t* srat = rsdp ? acpi::find_table(src, *rsdp, "SRAT", &len, diag) : nullptr;
    acpi::SratCpu cpus[kMaxCores];
    acpi::SratInfo info{};
    if (rsdp != nullptr && srat == nullptr) {
        diag.report("SRAT: no valid table found; node 0 holds all cores and memory");
    }
    if (srat == nullptr ||
        !acpi::parse_srat(srat, len, cpus, kMaxCores, out.mem, kMaxNodeMemRanges, info, diag)) {
        one_node(out, mem_base, mem_end);
        return false;
    }
    if (info.nodes.count == 0) {
        diag.report("SRAT: no enabled processor or memory entries; using one node");
        one_node(out, mem_base, mem_end);
        return false;
    }
    nodes = info.nodes;
    out.node_count = info.nodes.count;
    out.mem_range_count = info.mem_count;
    if (info.mem_count == 0) {
        diag.report("SRAT: no enabled memory entries; all memory assigned to node 0");
        if (mem_end > mem_base) {
            out.mem[0] = NodeMemRange{mem_base, mem_end - mem_base, 0, false};
            out.mem_range_count = 1;
        }
    }
    // Without a usable MADT every other SRAT processor would be "unknown";
    // the MADT report already says why, so only a real MADT is compared.
    for (uint32_t i = 0; i < info.cpu_count && out.from_madt; ++i) {
        if (out.core_index_of_apic(cpus[i].apic_id) < 0) {
            diag.report("SRAT: affinity entry for APIC id %u (node %u) matches no enabled MADT processor; ignored",
                        cpus[i].apic_id, cpus[i].node);
        }
    }
    for (uint32_t c = 0; c < out.core_count; ++c) {
        CoreInfo& core = out.cores[c];
        core.node = 0;
        bool found = false;
        for (uint32_t i = 0; i < info.cpu_count && !found; ++i) {
            if (cpus[i].apic_id == core.apic_id) {
                core.node = cpus[i].node;
                found = true;
            }
        }
        if (!found) {
            diag.report("SRAT: no affinity entry for APIC id %u; placed on node 0", core.apic_id);
        }
    }
    out.from_srat = true;
    return true;
}

} // namespace

int Topology::core_index_of_apic(uint32_t apic_id) const
{
    const uint32_t count = core_count < kMaxCores ? core_count : kMaxCores;
    for (uint32_t i = 0; i < count; ++i) {
        if (cores[i].apic_id == apic_id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void build_topology(acpi::TableSource& src, const uint8_t* rsdp_or_null, size_t rsdp_len, uint32_t boot_apic_id,
                    const ApicIdLayout& layout, uint64_t total_mem_base, uint64_t total_mem_end, Topology& out,
                    Diag& diag)
{
    __builtin_memset(&out, 0, sizeof(out));
    out.lapic_phys = acpi::kDefaultLapicPhys;
    acpi::default_distances(out.distance);

    acpi::Rsdp rsdp{};
    const acpi::Rsdp* root = nullptr;
    if (rsdp_or_null == nullptr) {
        diag.report("RSDP: not found; using the boot core and one node");
    } else if (acpi::parse_rsdp(rsdp_or_null, rsdp_len, rsdp, diag)) {
        root = &rsdp;
    }

    discover_cores(src, root, boot_apic_id, layout, out, diag);

    acpi::DomainMap nodes{};
    const bool have_srat = discover_nodes(src, root, total_mem_base, total_mem_end, out, nodes, diag);

    size_t len = 0;
    const uint8_t* slit = root ? acpi::find_table(src, *root, "SLIT", &len, diag) : nullptr;
    if (slit == nullptr && have_srat && out.node_count > 1) {
        diag.report("SLIT: no valid table found; default distances (10 local, 20 remote)");
    } else if (slit != nullptr && !have_srat) {
        diag.report("SLIT: ignored because there is no usable SRAT to name its localities; default distances");
    } else if (slit != nullptr) {
        if (acpi::parse_slit(slit, len, nodes, out.distance, diag)) {
            out.from_slit = true;
        } else {
            diag.report("SLIT: unusable; default distances (10 local, 20 remote)");
        }
    }
}

} // namespace atoll_os
