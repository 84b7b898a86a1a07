// Tests for build_topology: whole machines, and the fallback for each broken or missing table.
#include "percpu/topology.hpp"

#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

constexpr ApicIdLayout kQemuLayout{1, 2, 1, 2};    // see CpuTopology.QemuMaxTwoSocketsTwoCoresTwoThreads
constexpr ApicIdLayout kServerLayout{1, 4, 1, 4};  // package shift 4, L3 per package

struct Machine {
    FakeMemory mem;
    CollectingDiag diag;
    std::unique_ptr<Topology> topo = std::make_unique<Topology>();
    uint64_t rsdp_phys = 0;
    size_t rsdp_len = 0;
    uint64_t mem_end = 0;
    ApicIdLayout layout{};

    void build(uint32_t boot_apic_id = 0)
    {
        const uint8_t* rsdp = rsdp_phys ? mem.at(rsdp_phys, rsdp_len) : nullptr;
        build_topology(mem, rsdp, rsdp_len, boot_apic_id, layout, 0, mem_end, *topo, diag);
    }
    const Topology& t() const { return *topo; }
};

Machine qemu8_machine()
{
    Machine m;
    load_qemu8(m.mem);
    m.rsdp_phys = qemu8::kRsdp;
    m.rsdp_len = acpi::kRsdpV1Size;
    m.mem_end = qemu8::kMemEnd;
    m.layout = kQemuLayout;
    return m;
}

Machine server2s_machine()
{
    Machine m;
    load_server2s(m.mem);
    m.rsdp_phys = server2s::kRsdp;
    m.rsdp_len = acpi::kRsdpV2Size;
    m.mem_end = server2s::kMemEnd;
    m.layout = kServerLayout;
    return m;
}

void expect_default_distances(const Topology& t)
{
    for (unsigned i = 0; i < kMaxNodes; ++i) {
        for (unsigned j = 0; j < kMaxNodes; ++j) {
            ASSERT_EQ(t.distance[i][j], i == j ? 10 : 20) << i << "," << j;
        }
    }
}

void expect_single_node(const Machine& m)
{
    const Topology& t = m.t();
    EXPECT_FALSE(t.from_srat);
    EXPECT_FALSE(t.from_slit);
    EXPECT_EQ(t.node_count, 1u);
    ASSERT_EQ(t.mem_range_count, 1u);
    EXPECT_EQ(t.mem[0].base, 0u);
    EXPECT_EQ(t.mem[0].length, m.mem_end);
    EXPECT_EQ(t.mem[0].node, 0);
    for (uint32_t i = 0; i < t.core_count; ++i) {
        EXPECT_EQ(t.cores[i].node, 0);
    }
    expect_default_distances(t);
}

TEST(Topology, Qemu8)
{
    Machine m = qemu8_machine();
    m.build(0);
    const Topology& t = m.t();
    EXPECT_NO_REPORTS(m.diag);
    EXPECT_TRUE(t.from_madt);
    EXPECT_TRUE(t.from_srat);
    EXPECT_TRUE(t.from_slit);
    EXPECT_EQ(t.lapic_phys, 0xFEE00000u);
    ASSERT_EQ(t.core_count, 8u);
    for (uint32_t i = 0; i < 8; ++i) {
        const CoreInfo& c = t.cores[i];
        EXPECT_EQ(c.apic_id, i);
        EXPECT_EQ(c.acpi_uid, i);
        EXPECT_EQ(c.package, i >> 2);
        EXPECT_EQ(c.core, (i >> 1) & 1);
        EXPECT_EQ(c.thread, i & 1);
        EXPECT_EQ(c.node, i / 4);
        EXPECT_EQ(c.l2_group, i >> 1);
        EXPECT_EQ(c.l3_group, i >> 2);
    }
    EXPECT_EQ(t.node_count, 2u);
    ASSERT_EQ(t.mem_range_count, 3u);
    EXPECT_EQ(t.mem[2].base, 0x40000000u);
    EXPECT_EQ(t.mem[2].node, 1);
    EXPECT_EQ(t.distance[0][0], 10);
    EXPECT_EQ(t.distance[0][1], 21);
    EXPECT_EQ(t.distance[1][0], 21);
    EXPECT_EQ(t.distance[2][3], 20);
    EXPECT_EQ(t.core_index_of_apic(5), 5);
    EXPECT_EQ(t.core_index_of_apic(8), -1);
}

TEST(Topology, BootCoreComesFirst)
{
    Machine m = qemu8_machine();
    m.build(6);
    const Topology& t = m.t();
    EXPECT_NO_REPORTS(m.diag);
    ASSERT_EQ(t.core_count, 8u);
    const uint32_t order[8] = {6, 0, 1, 2, 3, 4, 5, 7};
    for (uint32_t i = 0; i < 8; ++i) {
        EXPECT_EQ(t.cores[i].apic_id, order[i]);
    }
    EXPECT_EQ(t.cores[0].acpi_uid, 6u);
    EXPECT_EQ(t.cores[0].node, 1);
    EXPECT_EQ(t.core_index_of_apic(6), 0);
    EXPECT_EQ(t.core_index_of_apic(7), 7);
}

TEST(Topology, Server2sX2apic)
{
    Machine m = server2s_machine();
    m.build(0);
    const Topology& t = m.t();
    EXPECT_NO_REPORTS(m.diag);
    EXPECT_TRUE(t.from_madt && t.from_srat && t.from_slit);
    ASSERT_EQ(t.core_count, 16u);
    const uint32_t order[16] = {0, 2, 4, 6, 16, 18, 20, 22, 1, 3, 5, 7, 17, 19, 21, 23};
    for (uint32_t i = 0; i < 16; ++i) {
        const CoreInfo& c = t.cores[i];
        EXPECT_EQ(c.apic_id, order[i]);
        EXPECT_EQ(c.acpi_uid, i);
        EXPECT_EQ(c.package, c.apic_id >= 16 ? 1 : 0);
        EXPECT_EQ(c.core, (c.apic_id & 0xF) >> 1);
        EXPECT_EQ(c.thread, c.apic_id & 1);
        EXPECT_EQ(c.node, c.apic_id >= 16 ? 1 : 0);  // socket 0 is SRAT domain 1, seen first
        EXPECT_EQ(c.l3_group, c.package);
    }
    EXPECT_EQ(t.node_count, 2u);
    ASSERT_EQ(t.mem_range_count, 5u);
    EXPECT_TRUE(t.mem[4].hotplug);
    EXPECT_EQ(t.mem[4].node, 1);
    EXPECT_EQ(t.distance[0][1], 20);  // SLIT[domain 1][domain 0]
    EXPECT_EQ(t.distance[1][0], 21);
}

TEST(Topology, NoRsdpMeansBootCoreAndOneNode)
{
    Machine m = qemu8_machine();
    m.rsdp_phys = 0;
    m.build(3);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "RSDP", "not found");
    EXPECT_FALSE(t.from_madt);
    ASSERT_EQ(t.core_count, 1u);
    EXPECT_EQ(t.cores[0].apic_id, 3u);
    EXPECT_EQ(t.cores[0].acpi_uid, kUnknownAcpiUid);
    EXPECT_EQ(t.cores[0].package, 0);
    EXPECT_EQ(t.cores[0].core, 1);
    EXPECT_EQ(t.cores[0].thread, 1);
    EXPECT_EQ(t.lapic_phys, 0xFEE00000u);
    expect_single_node(m);
}

TEST(Topology, TruncatedRsdp)
{
    Machine m = qemu8_machine();
    m.rsdp_len = 19;
    m.build(0);
    EXPECT_REPORTED(m.diag, "RSDP", "only 19 bytes");
    EXPECT_EQ(m.t().core_count, 1u);
    expect_single_node(m);
}

TEST(Topology, MadtBadChecksumFallsBackToBootCore)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kMadt + 47)[0] ^= 0x40;
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "MADT", "checksum");
    EXPECT_REPORTED(m.diag, "MADT", "boot core only");
    EXPECT_FALSE(t.from_madt);
    ASSERT_EQ(t.core_count, 1u);
    EXPECT_EQ(t.cores[0].apic_id, 0u);
    // The SRAT still places the boot core; its other processors are not
    // reported one by one, since the MADT report already explains them.
    EXPECT_TRUE(t.from_srat);
    EXPECT_EQ(t.cores[0].node, 0);
    EXPECT_FALSE(m.diag.has({"no enabled MADT processor"})) << m.diag.dump();
}

TEST(Topology, MadtMissing)
{
    Machine m = qemu8_machine();
    // Replace the RSDT's MADT entry with the WAET's address.
    const uint32_t waet = static_cast<uint32_t>(qemu8::kWaet);
    std::memcpy(m.mem.at(qemu8::kRsdt + 36, 4), &waet, 4);
    m.mem.fix_sdt_checksum_at(qemu8::kRsdt);
    m.build(0);
    EXPECT_REPORTED(m.diag, "MADT", "no valid table found");
    EXPECT_FALSE(m.t().from_madt);
    EXPECT_EQ(m.t().core_count, 1u);
}

TEST(Topology, MadtTableLengthPastEnd)
{
    Machine m = qemu8_machine();
    const uint32_t len = 0x10000;
    std::memcpy(m.mem.at(qemu8::kMadt + 4, 4), &len, 4);
    m.build(0);
    EXPECT_REPORTED(m.diag, "MADT", "65536 bytes", "not mappable");
    EXPECT_EQ(m.t().core_count, 1u);
}

TEST(Topology, MadtZeroLengthEntryKeepsEarlierCores)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kMadt + 44 + 4 * 8 + 1)[0] = 0;
    m.mem.fix_sdt_checksum_at(qemu8::kMadt);
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "MADT", "entry 4", "length 0");
    EXPECT_TRUE(t.from_madt);
    EXPECT_EQ(t.core_count, 4u);
    EXPECT_REPORTED(m.diag, "SRAT", "APIC id 4", "no enabled MADT processor");
}

TEST(Topology, MadtEntryOverrunningTable)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kMadt + 44 + 7 * 8 + 1)[0] = 200;
    m.mem.fix_sdt_checksum_at(qemu8::kMadt);
    m.build(0);
    EXPECT_REPORTED(m.diag, "MADT", "entry 7", "runs past table end");
    EXPECT_EQ(m.t().core_count, 7u);
}

TEST(Topology, MadtDuplicateApicIds)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kMadt + 44 + 3 * 8 + 3)[0] = 1;  // entry 3 claims APIC id 1
    m.mem.fix_sdt_checksum_at(qemu8::kMadt);
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "MADT", "entry 3", "APIC id 1", "duplicates");
    EXPECT_EQ(t.core_count, 7u);
    EXPECT_EQ(t.core_index_of_apic(3), -1);
    EXPECT_REPORTED(m.diag, "SRAT", "APIC id 3", "no enabled MADT processor");
}

TEST(Topology, BootCoreMissingFromMadt)
{
    Machine m = qemu8_machine();
    m.build(9);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "MADT", "boot core APIC id 9", "not listed");
    EXPECT_REPORTED(m.diag, "SRAT", "no affinity entry for APIC id 9", "node 0");
    ASSERT_EQ(t.core_count, 9u);
    EXPECT_EQ(t.cores[0].apic_id, 9u);
    EXPECT_EQ(t.cores[0].acpi_uid, kUnknownAcpiUid);
    EXPECT_EQ(t.cores[0].node, 0);
}

TEST(Topology, SratNamesApicIdNotInMadt)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kSrat + 48 + 7 * 16 + 3)[0] = 12;  // the entry for APIC 7 now says 12
    m.mem.fix_sdt_checksum_at(qemu8::kSrat);
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "SRAT", "APIC id 12", "no enabled MADT processor", "ignored");
    EXPECT_REPORTED(m.diag, "SRAT", "no affinity entry for APIC id 7", "node 0");
    EXPECT_TRUE(t.from_srat);
    EXPECT_EQ(t.cores[t.core_index_of_apic(7)].node, 0);
    EXPECT_EQ(t.cores[t.core_index_of_apic(6)].node, 1);
    EXPECT_EQ(t.core_count, 8u);
}

TEST(Topology, SratWithBrokenEntryChainMeansOneNode)
{
    // The case QEMU's -acpitable boot test exercises: a valid checksum
    // around an entry that runs past the end.
    Machine m = qemu8_machine();
    const uint32_t srat_len = 336;
    m.mem.at(qemu8::kSrat + srat_len - 40 + 1)[0] = 0x50;
    m.mem.fix_sdt_checksum_at(qemu8::kSrat);
    m.build(0);
    EXPECT_REPORTED(m.diag, "SRAT", "runs past table end", "table rejected");
    EXPECT_FALSE(m.t().from_srat);
    expect_single_node(m);
}

TEST(Topology, SratBadChecksumMeansOneNode)
{
    Machine m = qemu8_machine();
    m.mem.at(qemu8::kSrat + 200)[0] ^= 0x08;
    m.build(0);
    EXPECT_REPORTED(m.diag, "SRAT", "checksum");
    EXPECT_REPORTED(m.diag, "SRAT", "no valid table found");
    EXPECT_REPORTED(m.diag, "SLIT", "ignored", "SRAT");
    EXPECT_TRUE(m.t().from_madt);
    EXPECT_EQ(m.t().core_count, 8u);
    expect_single_node(m);
}

TEST(Topology, SratWithoutMemoryEntriesKeepsCpuNodes)
{
    Machine m = qemu8_machine();
    // Disable the three real memory entries.
    for (int i = 0; i < 3; ++i) {
        m.mem.at(qemu8::kSrat + 48 + 8 * 16 + i * 40 + 28)[0] = 0;
    }
    m.mem.fix_sdt_checksum_at(qemu8::kSrat);
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "SRAT", "no enabled memory entries");
    EXPECT_TRUE(t.from_srat);
    EXPECT_EQ(t.node_count, 2u);
    EXPECT_EQ(t.cores[7].node, 1);
    ASSERT_EQ(t.mem_range_count, 1u);
    EXPECT_EQ(t.mem[0].length, qemu8::kMemEnd);
}

TEST(Topology, SlitWrongSize)
{
    Machine m = qemu8_machine();
    const uint32_t len = 47;
    std::memcpy(m.mem.at(qemu8::kSlit + 4, 4), &len, 4);
    m.mem.fix_sdt_checksum_at(qemu8::kSlit);
    m.build(0);
    EXPECT_REPORTED(m.diag, "SLIT", "table length 47");
    EXPECT_REPORTED(m.diag, "SLIT", "unusable", "default distances");
    EXPECT_FALSE(m.t().from_slit);
    EXPECT_TRUE(m.t().from_srat);
    expect_default_distances(m.t());
}

TEST(Topology, SlitLocalityCountMismatch)
{
    Machine m = qemu8_machine();
    // A 1-locality SLIT: consistent with its own length, not with the SRAT.
    const uint32_t len = 45;
    std::memcpy(m.mem.at(qemu8::kSlit + 4, 4), &len, 4);
    m.mem.at(qemu8::kSlit + 36)[0] = 1;
    m.mem.fix_sdt_checksum_at(qemu8::kSlit);
    m.build(0);
    EXPECT_REPORTED(m.diag, "SLIT", "locality count 1", "2 SRAT nodes");
    EXPECT_REPORTED(m.diag, "SLIT", "default distances");
    EXPECT_FALSE(m.t().from_slit);
    expect_default_distances(m.t());
}

TEST(Topology, XsdtPointingAtGarbage)
{
    Machine m = server2s_machine();
    const uint64_t garbage = server2s::kTableArea + 0x3800;
    for (int i = 0; i < 64; ++i) {
        m.mem.at(garbage + i)[0] = static_cast<uint8_t>(0xA5 ^ i);
    }
    std::memcpy(m.mem.at(server2s::kRsdp + 24, 8), &garbage, 8);
    fix_checksum(m.mem.at(server2s::kRsdp, 36), 36, 32);
    m.build(0);
    const Topology& t = m.t();
    EXPECT_REPORTED(m.diag, "XSDT", "falling back to the RSDT");
    EXPECT_TRUE(t.from_madt && t.from_srat && t.from_slit);
    EXPECT_EQ(t.core_count, 16u);
}

TEST(Topology, EmptyMemoryRangeWithoutSrat)
{
    Machine m = qemu8_machine();
    m.rsdp_phys = 0;
    m.mem_end = 0;
    m.build(0);
    EXPECT_EQ(m.t().mem_range_count, 0u);
    EXPECT_EQ(m.t().node_count, 1u);
}

TEST(Topology, RebuildClearsPreviousContents)
{
    Machine m = server2s_machine();
    m.build(0);
    m.rsdp_phys = 0;
    m.build(5);
    EXPECT_EQ(m.t().core_count, 1u);
    EXPECT_FALSE(m.t().from_madt);
    EXPECT_EQ(m.t().cores[1].apic_id, 0u);
    expect_single_node(m);
}

} // namespace
} // namespace atoll_os::test
