// Tests for SRAT processor and memory affinity parsing.
#include "kernel/acpi/srat.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

using acpi::parse_srat;
using acpi::SratCpu;
using acpi::SratInfo;

constexpr size_t kQemuEntry0 = 48;  // qemu8: 8 CPU entries of 16 bytes, then 4 memory entries of 40

struct Parsed {
    bool ok;
    SratInfo info;
    std::vector<SratCpu> cpus;
    std::vector<NodeMemRange> mem;
};

Parsed parse(const Bytes& t, CollectingDiag& diag, uint32_t cpu_cap = 256, uint32_t mem_cap = 128)
{
    Parsed p{};
    p.cpus.resize(cpu_cap);
    p.mem.resize(mem_cap);
    p.ok = parse_srat(t.data(), t.size(), p.cpus.data(), cpu_cap, p.mem.data(), mem_cap, p.info, diag);
    p.cpus.resize(p.info.cpu_count);
    p.mem.resize(p.info.mem_count);
    return p;
}

Bytes srat_body(std::initializer_list<Bytes> entries)
{
    Bytes body(12, 0);
    put32(body, 0, 1);
    for (const Bytes& e : entries) {
        body.insert(body.end(), e.begin(), e.end());
    }
    return body;
}

Bytes x2apic_affinity(uint32_t domain, uint32_t apic, uint32_t flags = 1)
{
    Bytes e(24, 0);
    e[0] = 2;
    e[1] = 24;
    put32(e, 4, domain);
    put32(e, 8, apic);
    put32(e, 12, flags);
    return e;
}

Bytes memory_affinity(uint32_t domain, uint64_t base, uint64_t length, uint32_t flags = 1)
{
    Bytes e(40, 0);
    e[0] = 1;
    e[1] = 40;
    put32(e, 2, domain);
    put64(e, 8, base);
    put64(e, 16, length);
    put32(e, 28, flags);
    return e;
}

TEST(AcpiSrat, QemuTwoNodes)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("qemu8_srat"), diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.info.nodes.count, 2u);
    EXPECT_EQ(p.info.nodes.domain[0], 0u);
    EXPECT_EQ(p.info.nodes.domain[1], 1u);
    ASSERT_EQ(p.cpus.size(), 8u);
    for (uint32_t i = 0; i < 8; ++i) {
        EXPECT_EQ(p.cpus[i].apic_id, i);
        EXPECT_EQ(p.cpus[i].node, i / 4);
    }
    ASSERT_EQ(p.mem.size(), 3u);  // the empty, disabled entry is dropped
    EXPECT_EQ(p.mem[0].base, 0u);
    EXPECT_EQ(p.mem[0].length, 0xA0000u);
    EXPECT_EQ(p.mem[1].base, 0x100000u);
    EXPECT_EQ(p.mem[2].base, 0x40000000u);
    EXPECT_EQ(p.mem[2].length, 0x40000000u);
    EXPECT_EQ(p.mem[2].node, 1);
    EXPECT_FALSE(p.mem[2].hotplug);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSrat, ServerDomainsBecomeDenseNodesInOrderOfAppearance)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("server2s_srat"), diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.info.nodes.count, 2u);
    EXPECT_EQ(p.info.nodes.domain[0], 1u);  // socket 0 appears first
    EXPECT_EQ(p.info.nodes.domain[1], 0u);
    EXPECT_EQ(p.info.nodes.node_of(1), 0);
    EXPECT_EQ(p.info.nodes.node_of(0), 1);
    EXPECT_EQ(p.info.nodes.node_of(7), -1);
    ASSERT_EQ(p.cpus.size(), 16u);  // the disabled entry for 0x28 is ignored
    for (const SratCpu& c : p.cpus) {
        EXPECT_EQ(c.node, c.apic_id < 16 ? 0 : 1) << "APIC id " << c.apic_id;
    }
    ASSERT_EQ(p.mem.size(), 5u);
    EXPECT_EQ(p.mem[3].node, 1);
    EXPECT_EQ(p.mem[4].base, 0x1080000000u);
    EXPECT_TRUE(p.mem[4].hotplug);
    EXPECT_FALSE(p.mem[3].hotplug);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSrat, LocalApicAffinityDomainHasHighBits)
{
    Bytes e(16, 0);
    e[0] = 0;
    e[1] = 16;
    e[2] = 0x04;  // domain bits 7:0
    e[3] = 9;     // APIC id
    put32(e, 4, 1);
    e[9] = 0x03;  // domain bits 31:8
    e[10] = 0x02;
    e[11] = 0x01;
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("SRAT", srat_body({e})), diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.info.nodes.count, 1u);
    EXPECT_EQ(p.info.nodes.domain[0], 0x01020304u);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSrat, ZeroLengthEntryRejectsTheWholeTable)
{
    // Entries before the broken one must not survive: half an SRAT would
    // put cores on nodes the firmware never meant.
    Bytes t = load_table("qemu8_srat");
    t[kQemuEntry0 + 2 * 16 + 1] = 0;
    fix_sdt_checksum(t);
    CollectingDiag diag;
    const Parsed p = parse(t, diag);
    EXPECT_FALSE(p.ok);
    EXPECT_REPORTED(diag, "SRAT", "entry 2", "length 0", "table rejected");
}

TEST(AcpiSrat, EntryOverrunningTableRejectsTheWholeTable)
{
    Bytes t = load_table("qemu8_srat");
    t[kQemuEntry0 + 8 * 16 + 3 * 40 + 1] = 0x50;  // last memory entry
    fix_sdt_checksum(t);
    CollectingDiag diag;
    const Parsed p = parse(t, diag);
    EXPECT_FALSE(p.ok);
    EXPECT_REPORTED(diag, "SRAT", "entry 11", "runs past table end (336 bytes)", "table rejected");
}

TEST(AcpiSrat, DuplicateProcessorIsSkipped)
{
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("SRAT", srat_body({x2apic_affinity(0, 5), x2apic_affinity(1, 5)})), diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.cpus.size(), 1u);
    EXPECT_EQ(p.cpus[0].node, 0);
    EXPECT_EQ(p.info.nodes.count, 1u);  // the skipped entry did not create a node
    EXPECT_REPORTED(diag, "SRAT", "entry 1", "APIC id 5", "already");
}

TEST(AcpiSrat, OverlappingAndWrappingMemoryIsSkipped)
{
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("SRAT", srat_body({
                                                   memory_affinity(0, 0x1000, 0x1000),
                                                   memory_affinity(1, 0x1800, 0x1000),
                                                   memory_affinity(1, ~0ull - 0xFFF, 0x2000),
                                                   memory_affinity(1, 0x2000, 0x1000, 3),
                                               })),
                           diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.mem.size(), 2u);
    EXPECT_EQ(p.mem[1].base, 0x2000u);
    EXPECT_TRUE(p.mem[1].hotplug);
    EXPECT_REPORTED(diag, "SRAT", "entry 1", "overlaps");
    EXPECT_REPORTED(diag, "SRAT", "entry 2", "wraps");
}

TEST(AcpiSrat, ShortKnownEntriesAreSkipped)
{
    Bytes short_mem = memory_affinity(0, 0, 0x1000);
    short_mem.resize(32);
    short_mem[1] = 32;
    Bytes short_x2 = x2apic_affinity(0, 1);
    short_x2.resize(16);
    short_x2[1] = 16;
    const Bytes short_lapic{0, 8, 0, 1, 1, 0, 0, 0};
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("SRAT", srat_body({short_mem, short_x2, short_lapic})), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.info.nodes.count, 0u);
    EXPECT_REPORTED(diag, "SRAT", "entry 0", "Memory Affinity", "length 32");
    EXPECT_REPORTED(diag, "SRAT", "entry 1", "x2APIC Affinity", "length 16");
    EXPECT_REPORTED(diag, "SRAT", "entry 2", "Local APIC Affinity", "length 8");
}

TEST(AcpiSrat, TooManyDomains)
{
    Bytes body(12, 0);
    for (uint32_t d = 0; d < kMaxNodes + 2; ++d) {
        const Bytes e = x2apic_affinity(1000 + d, d);
        body.insert(body.end(), e.begin(), e.end());
    }
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("SRAT", body), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.info.nodes.count, kMaxNodes);
    EXPECT_EQ(p.cpus.size(), kMaxNodes);
    EXPECT_REPORTED(diag, "SRAT", "entry 64", "proximity domain 1064", "limit 64");
}

TEST(AcpiSrat, CapacityLimits)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("qemu8_srat"), diag, 4, 2);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 4u);
    EXPECT_EQ(p.mem.size(), 2u);
    EXPECT_REPORTED(diag, "SRAT", "entry 4", "limit of 4 processors");
    EXPECT_REPORTED(diag, "SRAT", "entry 10", "limit of 2 memory ranges");
    EXPECT_EQ(diag.messages.size(), 2u) << diag.dump();
}

TEST(AcpiSrat, HeaderProblemsFail)
{
    {
        CollectingDiag diag;
        Bytes t = load_table("qemu8_srat");
        t[100] ^= 1;
        EXPECT_FALSE(parse(t, diag).ok);
        EXPECT_REPORTED(diag, "SRAT", "checksum");
    }
    {
        CollectingDiag diag;
        EXPECT_FALSE(parse(make_sdt("SRAT", Bytes(8, 0)), diag).ok);
        EXPECT_REPORTED(diag, "SRAT", "length 44", "reserved");
    }
}

} // namespace
} // namespace atoll_os::test
