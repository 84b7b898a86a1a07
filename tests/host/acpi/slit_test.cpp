// Tests for SLIT distance matrix parsing.
#include "kernel/acpi/slit.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

namespace atoll_os::test {
namespace {

using acpi::DistanceMatrix;
using acpi::DomainMap;
using acpi::parse_slit;

DomainMap domains(std::initializer_list<uint32_t> list)
{
    DomainMap map{};
    for (uint32_t d : list) {
        map.domain[map.count++] = d;
    }
    return map;
}

struct Matrix {
    DistanceMatrix d;
    Matrix() { acpi::default_distances(d); }
};

Bytes slit_table(uint64_t n, const Bytes& matrix)
{
    Bytes body(8, 0);
    put64(body, 0, n);
    body.insert(body.end(), matrix.begin(), matrix.end());
    return make_sdt("SLIT", body);
}

TEST(AcpiSlit, Defaults)
{
    Matrix m;
    EXPECT_EQ(m.d[0][0], 10);
    EXPECT_EQ(m.d[63][63], 10);
    EXPECT_EQ(m.d[0][63], 20);
    EXPECT_EQ(m.d[5][4], 20);
}

TEST(AcpiSlit, Qemu)
{
    const Bytes t = load_table("qemu8_slit");
    Matrix m;
    CollectingDiag diag;
    ASSERT_TRUE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
    EXPECT_EQ(m.d[0][0], 10);
    EXPECT_EQ(m.d[0][1], 21);
    EXPECT_EQ(m.d[1][0], 21);
    EXPECT_EQ(m.d[1][1], 10);
    EXPECT_EQ(m.d[2][3], 20);  // beyond the node count: defaults untouched
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSlit, RowsAreTranslatedThroughTheDomainMap)
{
    // server2s: node 0 is domain 1, node 1 is domain 0; SLIT[0][1] = 21, SLIT[1][0] = 20.
    const Bytes t = load_table("server2s_slit");
    Matrix m;
    CollectingDiag diag;
    ASSERT_TRUE(parse_slit(t.data(), t.size(), domains({1, 0}), m.d, diag));
    EXPECT_EQ(m.d[0][1], 20);
    EXPECT_EQ(m.d[1][0], 21);
    EXPECT_NO_REPORTS(diag);
}

TEST(AcpiSlit, WrongSizeIsRejected)
{
    Bytes t = load_table("qemu8_slit");
    t.push_back(0x0A);  // a stray extra byte, included in the length
    put32(t, 4, static_cast<uint32_t>(t.size()));
    fix_sdt_checksum(t);
    Matrix m;
    CollectingDiag diag;
    EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
    EXPECT_EQ(m.d[0][1], 20);  // untouched
    EXPECT_REPORTED(diag, "SLIT", "table length 49", "expected 48");
}

TEST(AcpiSlit, LocalityCountMustMatchSrat)
{
    const Bytes t = slit_table(3, {10, 20, 30, 20, 10, 20, 30, 20, 10});
    Matrix m;
    CollectingDiag diag;
    EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
    EXPECT_REPORTED(diag, "SLIT", "locality count 3", "2 SRAT nodes");
}

TEST(AcpiSlit, ImplausibleCountIsRejectedBeforeMultiplying)
{
    const Bytes t = slit_table(0x1'0000'0001ull, {});
    Matrix m;
    CollectingDiag diag;
    EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0}), m.d, diag));
    EXPECT_REPORTED(diag, "SLIT", "locality count 4294967297", "implausible");
}

TEST(AcpiSlit, DomainWithoutRow)
{
    const Bytes t = load_table("qemu8_slit");
    Matrix m;
    CollectingDiag diag;
    EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 7}), m.d, diag));
    EXPECT_REPORTED(diag, "SLIT", "proximity domain 7", "no row");
}

TEST(AcpiSlit, InvalidDistances)
{
    {
        const Bytes t = slit_table(2, {10, 21, 21, 12});
        Matrix m;
        CollectingDiag diag;
        EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
        EXPECT_REPORTED(diag, "SLIT", "entry [1][1] is 12", "diagonal");
    }
    {
        const Bytes t = slit_table(2, {10, 5, 21, 10});
        Matrix m;
        CollectingDiag diag;
        EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
        EXPECT_REPORTED(diag, "SLIT", "entry [0][1] is 5", "> 10");
    }
    {
        const Bytes t = slit_table(2, {10, 255, 255, 10});  // unreachable is legal
        Matrix m;
        CollectingDiag diag;
        EXPECT_TRUE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
        EXPECT_EQ(m.d[0][1], 255);
    }
}

TEST(AcpiSlit, HeaderProblemsFail)
{
    {
        Bytes t = load_table("qemu8_slit");
        t[45] ^= 1;
        Matrix m;
        CollectingDiag diag;
        EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0, 1}), m.d, diag));
        EXPECT_REPORTED(diag, "SLIT", "checksum");
    }
    {
        const Bytes t = make_sdt("SLIT", Bytes(4, 0));
        Matrix m;
        CollectingDiag diag;
        EXPECT_FALSE(parse_slit(t.data(), t.size(), domains({0}), m.d, diag));
        EXPECT_REPORTED(diag, "SLIT", "length 40", "locality count");
    }
}

} // namespace
} // namespace atoll_os::test
