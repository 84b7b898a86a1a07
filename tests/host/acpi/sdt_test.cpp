// Tests for SDT header validation and RSDT/XSDT walking.
#include "kernel/acpi/sdt.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

using acpi::find_table;
using acpi::Rsdp;
using acpi::validate_sdt;

Rsdp qemu8_rsdp() { return Rsdp{qemu8::kRsdt, 0, 0}; }
Rsdp server2s_rsdp() { return Rsdp{server2s::kRsdt, server2s::kXsdt, 2}; }

TEST(AcpiSdt, TableNames)
{
    EXPECT_STREQ(acpi::table_name("APIC").text, "MADT");
    EXPECT_STREQ(acpi::table_name("SRAT").text, "SRAT");
    const char odd[4] = {'S', '\n', 0, 'T'};
    EXPECT_STREQ(acpi::table_name(odd).text, "S??T");
}

TEST(AcpiSdt, FindsTablesThroughRsdt)
{
    FakeMemory mem;
    load_qemu8(mem);
    CollectingDiag diag;
    size_t len = 0;
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "APIC", &len, diag), mem.at(qemu8::kMadt));
    EXPECT_EQ(len, 176u);
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "SLIT", &len, diag), mem.at(qemu8::kSlit));
    EXPECT_EQ(len, 48u);
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "HPET", &len, diag), nullptr);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSdt, PrefersXsdt)
{
    FakeMemory mem;
    load_server2s(mem);
    // A stale RSDT entry must not matter while the XSDT is good.
    mem.at(server2s::kRsdt + 36 + 4)[0] = 0x44;
    mem.fix_sdt_checksum_at(server2s::kRsdt);
    CollectingDiag diag;
    size_t len = 0;
    EXPECT_EQ(find_table(mem, server2s_rsdp(), "APIC", &len, diag), mem.at(server2s::kMadt));
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSdt, XsdtPointingAtGarbageFallsBackToRsdt)
{
    FakeMemory mem;
    load_server2s(mem);
    Rsdp rsdp = server2s_rsdp();
    rsdp.xsdt = server2s::kTableArea + 0x3800;  // zeros
    CollectingDiag diag;
    size_t len = 0;
    EXPECT_EQ(find_table(mem, rsdp, "SRAT", &len, diag), mem.at(server2s::kSrat));
    EXPECT_REPORTED(diag, "XSDT", "length 0");
    EXPECT_REPORTED(diag, "XSDT", "falling back to the RSDT");
}

TEST(AcpiSdt, UnmappableXsdtFallsBackToRsdt)
{
    FakeMemory mem;
    load_server2s(mem);
    Rsdp rsdp = server2s_rsdp();
    rsdp.xsdt = 0xDEAD0000;
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, rsdp, "APIC", nullptr, diag), mem.at(server2s::kMadt));
    EXPECT_REPORTED(diag, "XSDT", "0xdead0000", "not mappable");
}

TEST(AcpiSdt, XsdtEntryAtGarbageUsesRsdtEntry)
{
    FakeMemory mem;
    load_server2s(mem);
    // XSDT entry 2 (SRAT) now points at zeros; the RSDT still has the real one.
    uint64_t garbage = server2s::kTableArea + 0x3800;
    std::memcpy(mem.at(server2s::kXsdt + 36 + 2 * 8, 8), &garbage, 8);
    mem.fix_sdt_checksum_at(server2s::kXsdt);
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, server2s_rsdp(), "SRAT", nullptr, diag), mem.at(server2s::kSrat));
    EXPECT_REPORTED(diag, "SRAT", "only in the RSDT");
}

TEST(AcpiSdt, InvalidCandidateIsReportedAndSearchContinues)
{
    FakeMemory mem;
    load_qemu8(mem);
    // Put a corrupt MADT first in the RSDT; the walker must report it and
    // still return the good one listed later.
    const uint64_t bad = qemu8::kTableArea + 0x100;
    Bytes broken = load_table("qemu8_madt");
    broken[50] ^= 0xFF;
    mem.write(bad, broken);
    uint32_t entries[5] = {static_cast<uint32_t>(bad), static_cast<uint32_t>(qemu8::kMadt),
                           static_cast<uint32_t>(qemu8::kSrat), static_cast<uint32_t>(qemu8::kSlit),
                           static_cast<uint32_t>(qemu8::kWaet)};
    Bytes body(sizeof entries);
    std::memcpy(body.data(), entries, sizeof entries);
    const uint64_t rsdt = qemu8::kTableArea + 0x800;
    mem.write(rsdt, make_sdt("RSDT", body));

    CollectingDiag diag;
    size_t len = 0;
    EXPECT_EQ(find_table(mem, Rsdp{rsdt, 0, 0}, "APIC", &len, diag), mem.at(qemu8::kMadt));
    EXPECT_REPORTED(diag, "MADT", "checksum");
}

TEST(AcpiSdt, BadChecksumMeansNotFound)
{
    FakeMemory mem;
    load_qemu8(mem);
    mem.at(qemu8::kSrat + 60)[0] ^= 1;
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "SRAT", nullptr, diag), nullptr);
    EXPECT_REPORTED(diag, "SRAT", "checksum over 336 bytes");
}

TEST(AcpiSdt, LengthPastMappableMemory)
{
    FakeMemory mem;
    load_qemu8(mem);
    const uint32_t huge = 0x100000;
    std::memcpy(mem.at(qemu8::kMadt + 4, 4), &huge, 4);
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "APIC", nullptr, diag), nullptr);
    EXPECT_REPORTED(diag, "MADT", "1048576 bytes", "not mappable");
}

TEST(AcpiSdt, AbsurdLengthIsNotMapped)
{
    FakeMemory mem;
    load_qemu8(mem);
    const uint32_t absurd = 0xFFFFFFF0;
    std::memcpy(mem.at(qemu8::kSlit + 4, 4), &absurd, 4);
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, qemu8_rsdp(), "SLIT", nullptr, diag), nullptr);
    EXPECT_REPORTED(diag, "SLIT", "table length 4294967280");
}

TEST(AcpiSdt, RootTableEntryProblems)
{
    FakeMemory mem;
    load_qemu8(mem);
    const uint32_t entries[3] = {0, 0xCAFE0000, static_cast<uint32_t>(qemu8::kMadt)};
    Bytes body(sizeof entries + 2);  // 2 trailing bytes
    std::memcpy(body.data(), entries, sizeof entries);
    const uint64_t rsdt = qemu8::kTableArea + 0x800;
    mem.write(rsdt, make_sdt("RSDT", body));
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, Rsdp{rsdt, 0, 0}, "APIC", nullptr, diag), mem.at(qemu8::kMadt));
    EXPECT_REPORTED(diag, "RSDT", "entry 0", "null");
    EXPECT_REPORTED(diag, "RSDT", "entry 1", "0xcafe0000", "not mappable");
    EXPECT_REPORTED(diag, "RSDT", "2 bytes after the last 4-byte entry");
}

TEST(AcpiSdt, NoRootTableAtAll)
{
    FakeMemory mem;
    CollectingDiag diag;
    EXPECT_EQ(find_table(mem, Rsdp{}, "APIC", nullptr, diag), nullptr);
    EXPECT_EQ(find_table(mem, Rsdp{0x1000, 0, 0}, "APIC", nullptr, diag), nullptr);
    EXPECT_REPORTED(diag, "RSDT", "not mappable");
}

TEST(AcpiSdt, ValidateHeaderFields)
{
    Bytes t = load_table("qemu8_slit");
    {
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(t.data(), t.size(), "SLIT", diag), 48u);
        EXPECT_NO_REPORTS(diag);
    }
    {
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(t.data(), 20, "SLIT", diag), 0u);
        EXPECT_REPORTED(diag, "SLIT", "only 20 bytes");
    }
    {
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(t.data(), t.size(), "SRAT", diag), 0u);
        EXPECT_REPORTED(diag, "SRAT", "signature");
    }
    {
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(t.data(), 40, "SLIT", diag), 0u);
        EXPECT_REPORTED(diag, "SLIT", "length 48 runs past the 40 bytes available");
    }
    {
        Bytes shortlen = t;
        put32(shortlen, 4, 30);
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(shortlen.data(), shortlen.size(), "SLIT", diag), 0u);
        EXPECT_REPORTED(diag, "SLIT", "length 30", "header");
    }
    {
        CollectingDiag diag;
        EXPECT_EQ(validate_sdt(nullptr, 100, "SLIT", diag), 0u);
        EXPECT_REPORTED(diag, "SLIT", "only 0 bytes");
    }
}

} // namespace
} // namespace atoll_os::test
