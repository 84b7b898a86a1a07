// Tests for MADT processor, local APIC address, I/O APIC and override parsing.
#include "kernel/acpi/madt.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

using acpi::MadtCpu;
using acpi::MadtInfo;
using acpi::parse_madt;

constexpr size_t kQemuEntry0 = 44;  // qemu8: 8 Local APIC entries of 8 bytes from here

struct Parsed {
    bool ok;
    MadtInfo info;
    std::vector<MadtCpu> cpus;
};

Parsed parse(const Bytes& t, CollectingDiag& diag, uint32_t capacity = 256)
{
    Parsed p{};
    p.cpus.resize(capacity);
    p.ok = parse_madt(t.data(), t.size(), p.cpus.data(), capacity, p.info, diag);
    p.cpus.resize(p.info.cpu_count);
    return p;
}

Bytes madt_body(uint32_t lapic, std::initializer_list<Bytes> entries)
{
    Bytes body(8, 0);
    put32(body, 0, lapic);
    put32(body, 4, 1);
    for (const Bytes& e : entries) {
        body.insert(body.end(), e.begin(), e.end());
    }
    return body;
}

Bytes lapic_entry(uint8_t uid, uint8_t apic, uint32_t flags)
{
    Bytes e{0, 8, uid, apic, 0, 0, 0, 0};
    put32(e, 4, flags);
    return e;
}

Bytes x2apic_entry(uint32_t uid, uint32_t apic, uint32_t flags)
{
    Bytes e(16, 0);
    e[0] = 9;
    e[1] = 16;
    put32(e, 4, apic);
    put32(e, 8, flags);
    put32(e, 12, uid);
    return e;
}

Bytes ioapic_entry(uint8_t id, uint32_t address, uint32_t gsi_base)
{
    Bytes e(12, 0);
    e[0] = 1;
    e[1] = 12;
    e[2] = id;
    put32(e, 4, address);
    put32(e, 8, gsi_base);
    return e;
}

Bytes override_entry(uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags)
{
    Bytes e{2, 10, bus, source, 0, 0, 0, 0, static_cast<uint8_t>(flags), static_cast<uint8_t>(flags >> 8)};
    put32(e, 4, gsi);
    return e;
}

TEST(AcpiMadt, QemuEightCores)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("qemu8_madt"), diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.cpus.size(), 8u);
    for (uint32_t i = 0; i < 8; ++i) {
        EXPECT_EQ(p.cpus[i].apic_id, i);
        EXPECT_EQ(p.cpus[i].acpi_uid, i);
    }
    EXPECT_EQ(p.info.lapic_phys, 0xFEE00000u);
    EXPECT_EQ(p.info.online_capable, 0u);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiMadt, ServerX2apicEntriesInTableOrder)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("server2s_madt"), diag);
    ASSERT_TRUE(p.ok);
    const uint32_t expected[16] = {0, 2, 4, 6, 16, 18, 20, 22, 1, 3, 5, 7, 17, 19, 21, 23};
    ASSERT_EQ(p.cpus.size(), 16u);
    for (uint32_t i = 0; i < 16; ++i) {
        EXPECT_EQ(p.cpus[i].apic_id, expected[i]) << "entry " << i;
        EXPECT_EQ(p.cpus[i].acpi_uid, i);
    }
    EXPECT_EQ(p.info.online_capable, 1u);  // the xAPIC slot 0x30
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiMadt, ZeroLengthEntryStopsParsing)
{
    Bytes t = load_table("qemu8_madt");
    t[kQemuEntry0 + 3 * 8 + 1] = 0;
    fix_sdt_checksum(t);
    CollectingDiag diag;
    const Parsed p = parse(t, diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 3u);
    EXPECT_REPORTED(diag, "MADT", "entry 3", "length 0");
}

TEST(AcpiMadt, EntryOverrunningTableStopsParsing)
{
    Bytes t = load_table("qemu8_madt");
    t[kQemuEntry0 + 7 * 8 + 1] = 0xF0;
    fix_sdt_checksum(t);
    CollectingDiag diag;
    const Parsed p = parse(t, diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 7u);
    EXPECT_REPORTED(diag, "MADT", "entry 7", "length 240 runs past table end (176 bytes)");
}

TEST(AcpiMadt, OneTrailingByte)
{
    Bytes body = madt_body(0xFEE00000, {lapic_entry(0, 0, 1)});
    body.push_back(0);
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", body), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 1u);
    EXPECT_REPORTED(diag, "MADT", "entry 1", "trailing byte");
}

TEST(AcpiMadt, DuplicateApicIdsAreSkipped)
{
    Bytes t = load_table("qemu8_madt");
    t[kQemuEntry0 + 5 * 8 + 3] = 2;  // entry 5 claims APIC id 2
    fix_sdt_checksum(t);
    CollectingDiag diag;
    const Parsed p = parse(t, diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.cpus.size(), 7u);
    EXPECT_EQ(p.cpus[5].apic_id, 6u);
    EXPECT_REPORTED(diag, "MADT", "entry 5", "APIC id 2", "duplicates");
}

TEST(AcpiMadt, DuplicateAcrossXapicAndX2apicEntries)
{
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", madt_body(0xFEE00000, {lapic_entry(0, 7, 1), x2apic_entry(1, 7, 1)})),
                           diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 1u);
    EXPECT_REPORTED(diag, "MADT", "entry 1", "Local x2APIC", "APIC id 7", "duplicates");
}

TEST(AcpiMadt, FlagsSelectEnabledProcessors)
{
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", madt_body(0xFEE00000, {
                                                                       lapic_entry(0, 0, 1),
                                                                       lapic_entry(1, 1, 0),  // absent
                                                                       lapic_entry(2, 2, 2),  // online capable
                                                                       x2apic_entry(3, 300, 2),
                                                                       x2apic_entry(4, 301, 1),
                                                                       lapic_entry(5, 0xFF, 0),
                                                                   })),
                           diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.cpus.size(), 2u);
    EXPECT_EQ(p.cpus[1].apic_id, 301u);
    EXPECT_EQ(p.cpus[1].acpi_uid, 4u);
    EXPECT_EQ(p.info.online_capable, 2u);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiMadt, EnabledBroadcastIdsAreReported)
{
    CollectingDiag diag;
    const Parsed p = parse(
        make_sdt("APIC", madt_body(0xFEE00000, {lapic_entry(0, 0xFF, 1), x2apic_entry(1, 0xFFFFFFFF, 1)})), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 0u);
    EXPECT_REPORTED(diag, "MADT", "entry 0", "broadcast");
    EXPECT_REPORTED(diag, "MADT", "entry 1", "broadcast");
}

TEST(AcpiMadt, ShortKnownEntriesAreSkipped)
{
    const Bytes short_lapic{0, 6, 0, 1, 1, 0};
    const Bytes short_x2apic{9, 12, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0};
    const Bytes short_override{5, 10, 0, 0, 0, 0, 0, 0, 0, 0};
    CollectingDiag diag;
    const Parsed p = parse(
        make_sdt("APIC", madt_body(0xFEE00000, {short_lapic, short_x2apic, short_override, lapic_entry(3, 3, 1)})),
        diag);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.cpus.size(), 1u);
    EXPECT_EQ(p.cpus[0].apic_id, 3u);
    EXPECT_EQ(p.info.lapic_phys, 0xFEE00000u);
    EXPECT_REPORTED(diag, "MADT", "entry 0", "Local APIC", "length 6");
    EXPECT_REPORTED(diag, "MADT", "entry 1", "Local x2APIC", "length 12");
    EXPECT_REPORTED(diag, "MADT", "entry 2", "Address Override", "length 10");
}

TEST(AcpiMadt, AddressOverrideWins)
{
    Bytes override_entry(12, 0);
    override_entry[0] = 5;
    override_entry[1] = 12;
    put64(override_entry, 4, 0x1'0000'0000ull);
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", madt_body(0xFEE00000, {override_entry, lapic_entry(0, 0, 1)})), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.info.lapic_phys, 0x1'0000'0000ull);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiMadt, ZeroAddressFallsBackToDefault)
{
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", madt_body(0, {lapic_entry(0, 0, 1)})), diag);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.info.lapic_phys, acpi::kDefaultLapicPhys);
    EXPECT_REPORTED(diag, "MADT", "local APIC address is 0");
}

TEST(AcpiMadt, CapacityOverflowReportedOnce)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("qemu8_madt"), diag, 3);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.cpus.size(), 3u);
    EXPECT_EQ(diag.messages.size(), 1u) << diag.dump();
    EXPECT_REPORTED(diag, "MADT", "entry 3", "limit of 3");
}

TEST(AcpiMadt, HeaderProblemsFail)
{
    {
        CollectingDiag diag;
        Bytes t = load_table("qemu8_madt");
        t[20] ^= 1;
        EXPECT_FALSE(parse(t, diag).ok);
        EXPECT_REPORTED(diag, "MADT", "checksum");
    }
    {
        CollectingDiag diag;
        const Bytes t = make_sdt("APIC", Bytes(4, 0));
        EXPECT_FALSE(parse(t, diag).ok);
        EXPECT_REPORTED(diag, "MADT", "length 40", "local APIC address");
    }
    {
        CollectingDiag diag;
        const Bytes t = load_table("qemu8_madt");
        Parsed p{};
        MadtCpu cpus[8];
        EXPECT_FALSE(parse_madt(t.data(), 100, cpus, 8, p.info, diag));
        EXPECT_REPORTED(diag, "MADT", "runs past the 100 bytes");
    }
}

TEST(AcpiMadt, QemuIoApicAndOverrides)
{
    CollectingDiag diag;
    const Parsed p = parse(load_table("qemu8_madt"), diag);
    ASSERT_TRUE(p.ok);
    const acpi::MadtInterrupts& irq = p.info.interrupts;
    EXPECT_TRUE(irq.pcat_compat);
    ASSERT_EQ(irq.ioapic_count, 1u);
    EXPECT_EQ(irq.ioapics[0].id, 0u);
    EXPECT_EQ(irq.ioapics[0].phys, 0xFEC00000u);
    EXPECT_EQ(irq.ioapics[0].gsi_base, 0u);
    // The timer moves to GSI 2; the PCI link IRQs are level, active high.
    EXPECT_TRUE(irq.isa[0].present);
    EXPECT_EQ(irq.isa[0].gsi, 2u);
    EXPECT_EQ(irq.isa[0].flags, 0u);
    for (unsigned i : {5u, 9u, 10u, 11u}) {
        EXPECT_TRUE(irq.isa[i].present) << "IRQ " << i;
        EXPECT_EQ(irq.isa[i].gsi, i);
        EXPECT_EQ(irq.isa[i].flags, acpi::kIntiActiveHigh | acpi::kIntiLevel);
    }
    for (unsigned i : {1u, 2u, 3u, 4u, 6u, 7u, 8u, 12u, 13u, 14u, 15u}) EXPECT_FALSE(irq.isa[i].present) << "IRQ " << i;
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiMadt, MalformedOverridesAreSkipped)
{
    const Bytes short_override{2, 8, 0, 4, 4, 0, 0, 0};
    Bytes body = madt_body(0xFEE00000, {
                                           lapic_entry(0, 0, 1),
                                           short_override,
                                           override_entry(1, 3, 3, 0),    // not ISA
                                           override_entry(0, 16, 20, 0),  // no such IRQ
                                           override_entry(0, 8, 8, 0),
                                           override_entry(0, 8, 18, 0),   // duplicate
                                           override_entry(0, 9, 9, 0xa),  // reserved polarity and trigger
                                       });
    put32(body, 4, 0);  // no 8259s
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", body), diag);
    ASSERT_TRUE(p.ok);
    const acpi::MadtInterrupts& irq = p.info.interrupts;
    EXPECT_FALSE(irq.pcat_compat);
    EXPECT_FALSE(irq.isa[4].present);
    EXPECT_FALSE(irq.isa[3].present);
    EXPECT_TRUE(irq.isa[8].present);
    EXPECT_EQ(irq.isa[8].gsi, 8u);
    EXPECT_TRUE(irq.isa[9].present);
    EXPECT_EQ(irq.isa[9].flags, 0u);
    EXPECT_REPORTED(diag, "MADT", "entry 1", "Interrupt Source Override", "length 8");
    EXPECT_REPORTED(diag, "MADT", "entry 2", "bus 1 source 3", "not an ISA IRQ");
    EXPECT_REPORTED(diag, "MADT", "entry 3", "source 16", "not an ISA IRQ");
    EXPECT_REPORTED(diag, "MADT", "entry 5", "ISA IRQ 8", "duplicates");
    EXPECT_REPORTED(diag, "MADT", "entry 6", "ISA IRQ 9", "reserved flags 0xa");
}

TEST(AcpiMadt, IoApicLimitsAndShortEntries)
{
    Bytes body = madt_body(0xFEE00000, {lapic_entry(0, 0, 1), Bytes{1, 8, 0, 0, 0, 0, 0, 0},
                                        ioapic_entry(1, 0, 0)});
    for (uint8_t i = 0; i < acpi::kMaxIoApics + 1; ++i) {
        const Bytes e = ioapic_entry(static_cast<uint8_t>(i + 2), 0xFEC00000u + i * 0x1000u, i * 24u);
        body.insert(body.end(), e.begin(), e.end());
    }
    CollectingDiag diag;
    const Parsed p = parse(make_sdt("APIC", body), diag);
    ASSERT_TRUE(p.ok);
    const acpi::MadtInterrupts& irq = p.info.interrupts;
    ASSERT_EQ(irq.ioapic_count, acpi::kMaxIoApics);
    EXPECT_EQ(irq.ioapics[0].id, 2u);
    EXPECT_EQ(irq.ioapics[7].phys, 0xFEC07000u);
    EXPECT_EQ(irq.ioapics[7].gsi_base, 7u * 24u);
    EXPECT_REPORTED(diag, "MADT", "entry 1", "I/O APIC", "length 8");
    EXPECT_REPORTED(diag, "MADT", "entry 2", "I/O APIC", "address 0");
    EXPECT_REPORTED(diag, "MADT", "entry 11", "I/O APIC", "id 10", "limit of 8");
}

} // namespace
} // namespace atoll_os::test
