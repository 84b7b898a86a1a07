// Tests for finding and decoding the RSDP.
#include "kernel/acpi/rsdp.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

using acpi::find_rsdp;
using acpi::parse_rsdp;
using acpi::Rsdp;

const uint8_t* bios_area(FakeMemory& mem) { return mem.at(qemu8::kBiosArea, qemu8::kBiosAreaSize); }

TEST(AcpiRsdp, FindsRevision0InBiosArea)
{
    FakeMemory mem;
    load_qemu8(mem);
    const uint8_t* p = find_rsdp(bios_area(mem), qemu8::kBiosAreaSize);
    ASSERT_EQ(p, mem.at(qemu8::kRsdp));

    CollectingDiag diag;
    Rsdp rsdp{};
    ASSERT_TRUE(parse_rsdp(p, qemu8::kBiosAreaSize - (qemu8::kRsdp - qemu8::kBiosArea), rsdp, diag));
    EXPECT_EQ(rsdp.revision, 0);
    EXPECT_EQ(rsdp.rsdt, qemu8::kRsdt);
    EXPECT_EQ(rsdp.xsdt, 0u);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiRsdp, ParsesRevision2WithXsdt)
{
    const Bytes b = load_table("server2s_rsdp");
    ASSERT_EQ(b.size(), acpi::kRsdpV2Size);
    EXPECT_EQ(find_rsdp(b.data(), b.size()), b.data());

    CollectingDiag diag;
    Rsdp rsdp{};
    ASSERT_TRUE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_EQ(rsdp.revision, 2);
    EXPECT_EQ(rsdp.rsdt, server2s::kRsdt);
    EXPECT_EQ(rsdp.xsdt, server2s::kXsdt);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiRsdp, ScanSkipsBadChecksumAndUnalignedSignatures)
{
    FakeMemory mem;
    load_qemu8(mem);
    // A stale copy with a broken checksum, and a valid copy off the 16-byte grid.
    Bytes stale = load_table("qemu8_rsdp");
    stale[8] ^= 0x55;
    mem.write(qemu8::kBiosArea + 0x100, stale);
    mem.write(qemu8::kBiosArea + 0x208, load_table("qemu8_rsdp"));
    EXPECT_EQ(find_rsdp(bios_area(mem), qemu8::kBiosAreaSize), mem.at(qemu8::kRsdp));
}

TEST(AcpiRsdp, ScanNeverReadsPastTheArea)
{
    const Bytes b = load_table("qemu8_rsdp");
    // The signature fits but the 20-byte structure does not.
    Bytes area(16 + 19, 0);
    std::memcpy(area.data() + 16, b.data(), 19);
    EXPECT_EQ(find_rsdp(area.data(), area.size()), nullptr);
    EXPECT_EQ(find_rsdp(nullptr, 4096), nullptr);
    EXPECT_EQ(find_rsdp(b.data(), 0), nullptr);
}

TEST(AcpiRsdp, ScanRejectsRevision2WithBadExtendedChecksum)
{
    Bytes b = load_table("server2s_rsdp");
    b[32] ^= 1;  // extended checksum byte
    EXPECT_EQ(find_rsdp(b.data(), b.size()), nullptr);
}

TEST(AcpiRsdp, TruncatedBelowVersion1SizeFails)
{
    const Bytes b = load_table("qemu8_rsdp");
    CollectingDiag diag;
    Rsdp rsdp{};
    EXPECT_FALSE(parse_rsdp(b.data(), 12, rsdp, diag));
    EXPECT_EQ(rsdp.rsdt, 0u);
    EXPECT_REPORTED(diag, "RSDP", "12 bytes available");
}

TEST(AcpiRsdp, TruncatedRevision2KeepsRsdt)
{
    const Bytes b = load_table("server2s_rsdp");
    CollectingDiag diag;
    Rsdp rsdp{};
    ASSERT_TRUE(parse_rsdp(b.data(), 24, rsdp, diag));
    EXPECT_EQ(rsdp.rsdt, server2s::kRsdt);
    EXPECT_EQ(rsdp.xsdt, 0u);
    EXPECT_REPORTED(diag, "RSDP", "revision 2", "24 bytes", "XSDT ignored");
}

TEST(AcpiRsdp, BadChecksumFails)
{
    Bytes b = load_table("qemu8_rsdp");
    b[16] ^= 0x10;  // RSDT address
    CollectingDiag diag;
    Rsdp rsdp{};
    EXPECT_FALSE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_REPORTED(diag, "RSDP", "checksum");
}

TEST(AcpiRsdp, BadExtendedChecksumDropsXsdt)
{
    Bytes b = load_table("server2s_rsdp");
    b[24] ^= 0x01;  // XSDT address
    fix_checksum(b.data(), acpi::kRsdpV1Size, 8);
    CollectingDiag diag;
    Rsdp rsdp{};
    ASSERT_TRUE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_EQ(rsdp.xsdt, 0u);
    EXPECT_EQ(rsdp.rsdt, server2s::kRsdt);
    EXPECT_REPORTED(diag, "RSDP", "extended checksum");
}

TEST(AcpiRsdp, LengthFieldPastBufferDropsXsdt)
{
    Bytes b = load_table("server2s_rsdp");
    put32(b, 20, 64);
    fix_checksum(b.data(), b.size(), 32);
    CollectingDiag diag;
    Rsdp rsdp{};
    ASSERT_TRUE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_EQ(rsdp.xsdt, 0u);
    EXPECT_REPORTED(diag, "RSDP", "length 64");
}

TEST(AcpiRsdp, WrongSignatureFails)
{
    Bytes b = load_table("qemu8_rsdp");
    b[0] = 'X';
    CollectingDiag diag;
    Rsdp rsdp{};
    EXPECT_FALSE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_REPORTED(diag, "RSDP", "signature");
}

TEST(AcpiRsdp, NoRootAddressFails)
{
    Bytes b = load_table("qemu8_rsdp");
    put32(b, 16, 0);
    fix_checksum(b.data(), acpi::kRsdpV1Size, 8);
    CollectingDiag diag;
    Rsdp rsdp{};
    EXPECT_FALSE(parse_rsdp(b.data(), b.size(), rsdp, diag));
    EXPECT_REPORTED(diag, "RSDP", "neither RSDT nor XSDT");
}

} // namespace
} // namespace atoll_os::test
