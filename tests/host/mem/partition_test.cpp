// split_memory on hand-written maps: QEMU, a two-node EPYC, and malformed input.
#include <vector>

#include <gtest/gtest.h>

#include "percpu/partition.hpp"
#include "tests/host/common/collect_diag.hpp"
#include "tests/host/mem/partition_check.hpp"

namespace atoll_os::test {
namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

struct Split {
    std::vector<PhysRange> usable, reserved;
    std::vector<NodeRange> nodes;
    std::vector<uint16_t> core_node;
    uint64_t min_bytes = 0;
    std::vector<Partition> out;
    CollectDiag diag;

    PartitionRequest request() const
    {
        return {usable.data(),    static_cast<uint32_t>(usable.size()),
                reserved.data(),  static_cast<uint32_t>(reserved.size()),
                nodes.data(),     static_cast<uint32_t>(nodes.size()),
                core_node.data(), static_cast<uint32_t>(core_node.size()),
                min_bytes};
    }

    bool run()
    {
        out.assign(core_node.size(), Partition{});
        return split_memory(request(), out.data(), diag);
    }
};

Split qemu_map(unsigned cores)
{
    Split s;
    s.usable = {{0, 0x9fc00}, {0x100000, 0x7fe0000}};
    s.reserved = {{0, 1 * MiB},                 // real-mode area, BIOS, VGA
                  {0x100000, 0x35a123},         // kernel image
                  {0x400000, 0x4a3210},         // boot modules
                  {0x7fd0000, 0x7fd0800}};      // boot information
    s.core_node.assign(cores, 0);
    return s;
}

TEST(MemPartition, QemuLikeMapSplitsEquallyAroundReservedRanges)
{
    Split s = qemu_map(4);
    ASSERT_TRUE(s.run()) << s.diag.all();
    EXPECT_TRUE(s.diag.messages.empty()) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));

    uint64_t expected = (0x400000 - 0x35b000) + (0x7fd0000 - 0x4a4000) + (0x7fe0000 - 0x7fd1000);
    uint64_t total = 0;
    for (const Partition& p : s.out)
        total += p.bytes;
    EXPECT_EQ(total, expected);
    EXPECT_EQ(s.out[0].ranges[0].base, 0x35b000u);   // kernel end rounded up to a page
    EXPECT_EQ(s.out[0].ranges[0].end, 0x400000u);
    EXPECT_EQ(s.out[0].ranges[1].base, 0x4a4000u);
    EXPECT_EQ(s.out[0].count, 2u);
    EXPECT_EQ(s.out[1].count, 1u);
    EXPECT_EQ(s.out[3].ranges[s.out[3].count - 1].end, 0x7fe0000u);
    for (const Partition& p : s.out) {
        EXPECT_EQ(p.node, 0);
        EXPECT_GE(p.ranges[0].base, 1 * MiB);   // low memory stays out
    }
}

TEST(MemPartition, SingleCoreGetsEverything)
{
    Split s = qemu_map(1);
    ASSERT_TRUE(s.run()) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    EXPECT_EQ(s.out[0].count, 3u);
}

// Two sockets' worth of memory, a PCI hole below 4 GiB, a firmware hole in
// node 1, and cores numbered alternately across the nodes.
Split epyc_map()
{
    Split s;
    s.usable = {{0x1000, 0x9f000},          {0x100000, 0x76000000},  {0x77000000, 0xbff00000},
                {0x100000000, 0x880000000}, {0x880000000, 0x1000000000}};
    s.reserved = {{0, 1 * MiB}, {0x200000, 0x9ac000}, {0x3f000000, 0x3f0a0000}};
    s.reserved.push_back({0xc00000000, 0xc00100000});   // firmware runtime data in node 1
    s.nodes = {{0, 0xc0000000, 0}, {0x100000000, 0x840000000, 0}, {0x840000000, 0x1000000000, 1}};
    for (unsigned c = 0; c < 16; ++c)
        s.core_node.push_back(static_cast<uint16_t>(c % 2));
    s.min_bytes = 1 * GiB;
    return s;
}

TEST(MemPartition, EpycLikeTwoNodeMapKeepsMemoryLocal)
{
    Split s = epyc_map();
    ASSERT_TRUE(s.run()) << s.diag.all();
    EXPECT_TRUE(s.diag.messages.empty()) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    for (unsigned c = 0; c < 16; ++c) {
        const Partition& p = s.out[c];
        EXPECT_EQ(p.node, c % 2);
        EXPECT_LE(p.count, 5u) << "core " << c;
        for (uint32_t i = 0; i < p.count; ++i) {
            bool in_node1 = p.ranges[i].base >= 0x840000000;
            EXPECT_EQ(in_node1, c % 2 == 1) << "core " << c;
        }
    }
    // Node 1 starts its slices at its first page, in core order 1, 3, 5, ...
    EXPECT_EQ(s.out[1].ranges[0].base, 0x840000000u);
    EXPECT_LT(s.out[3].ranges[0].base, s.out[5].ranges[0].base);
}

TEST(MemPartition, UnsortedOverlappingAndZeroLengthEntriesNormalize)
{
    Split clean = qemu_map(3);
    ASSERT_TRUE(clean.run()) << clean.diag.all();

    Split messy = qemu_map(3);
    messy.usable = {{0x4000000, 0x7fe0000}, {0x200000, 0x200000},  {0x100000, 0x2000800},
                    {0x2000800, 0x4000000}, {0x9fc00, 0x9fc00},    {0, 0x9fc00},
                    {0x1000000, 0x5000000}, {0x7fe0000, 0x7fe0000}, {0x100000, 0x100000}};
    messy.reserved.push_back({0x6000000, 0x6000000});  // empty reservation removes nothing
    ASSERT_TRUE(messy.run()) << messy.diag.all();
    EXPECT_TRUE(messy.diag.messages.empty()) << messy.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(messy.request(), messy.out.data()));
    for (unsigned c = 0; c < 3; ++c) {
        ASSERT_EQ(messy.out[c].count, clean.out[c].count);
        for (uint32_t i = 0; i < clean.out[c].count; ++i) {
            EXPECT_EQ(messy.out[c].ranges[i].base, clean.out[c].ranges[i].base);
            EXPECT_EQ(messy.out[c].ranges[i].end, clean.out[c].ranges[i].end);
        }
    }
}

TEST(MemPartition, TouchingUnalignedHalvesKeepTheSharedPage)
{
    Split s;
    s.usable = {{0x10800, 0x20000}, {0x1000, 0x10800}};
    s.core_node = {0};
    ASSERT_TRUE(s.run()) << s.diag.all();
    ASSERT_EQ(s.out[0].count, 1u);
    EXPECT_EQ(s.out[0].ranges[0].base, 0x1000u);
    EXPECT_EQ(s.out[0].ranges[0].end, 0x20000u);
}

TEST(MemPartition, UnalignedEdgesShrinkInwardAndReservationsGrowOutward)
{
    Split s;
    s.usable = {{0x1234, 0x10fff}};
    s.reserved = {{0x8001, 0x8002}};
    s.core_node = {0};
    ASSERT_TRUE(s.run()) << s.diag.all();
    ASSERT_EQ(s.out[0].count, 2u);
    EXPECT_EQ(s.out[0].ranges[0].base, 0x2000u);
    EXPECT_EQ(s.out[0].ranges[0].end, 0x8000u);
    EXPECT_EQ(s.out[0].ranges[1].base, 0x9000u);
    EXPECT_EQ(s.out[0].ranges[1].end, 0x10000u);
}

TEST(MemPartition, MachineTooSmallForItsCoresFailsCleanly)
{
    Split s;
    s.usable = {{0x100000, 0x200000}};
    s.core_node.assign(8, 0);
    s.min_bytes = 256 * KiB;
    EXPECT_FALSE(s.run());
    EXPECT_TRUE(s.diag.mentions("below the minimum")) << s.diag.all();
    expect_cleared(s.out.data(), 8);

    // Even with no minimum, every core needs a page.
    Split tiny;
    tiny.usable = {{0x100000, 0x103000}};
    tiny.core_node.assign(4, 0);
    EXPECT_FALSE(tiny.run());
    EXPECT_TRUE(tiny.diag.mentions("below the minimum")) << tiny.diag.all();
    expect_cleared(tiny.out.data(), 4);
}

TEST(MemPartition, MinimumIsCheckedPerNode)
{
    Split s = epyc_map();
    s.min_bytes = 7 * GiB;   // each node has about 4 GiB per core
    EXPECT_FALSE(s.run());
    EXPECT_TRUE(s.diag.mentions("node 0")) << s.diag.all();
    expect_cleared(s.out.data(), 16);
}

TEST(MemPartition, NoUsableMemoryFails)
{
    Split s;
    s.usable = {{0, 0x9fc00}};
    s.reserved = {{0, 1 * MiB}};
    s.core_node = {0};
    EXPECT_FALSE(s.run());
    EXPECT_TRUE(s.diag.mentions("no usable memory")) << s.diag.all();
}

TEST(MemPartition, NodeWithMemoryButNoCoresGivesItToNode0)
{
    Split s;
    s.usable = {{0, 3 * GiB}};
    s.nodes = {{0, 1 * GiB, 0}, {1 * GiB, 2 * GiB, 1}, {2 * GiB, 3 * GiB, 2}};
    s.core_node = {0, 1, 0, 1};
    ASSERT_TRUE(s.run()) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    EXPECT_EQ(s.out[0].bytes + s.out[2].bytes, 2 * GiB);   // node 0 plus node 2
    EXPECT_EQ(s.out[1].bytes + s.out[3].bytes, 1 * GiB);
    EXPECT_EQ(s.out[0].node, 0);
    EXPECT_EQ(s.out[2].ranges[s.out[2].count - 1].end, 3 * GiB);
}

TEST(MemPartition, CoresOnNodeWithoutMemoryUseNode0AndAreReported)
{
    Split s;
    s.usable = {{0, 2 * GiB}};
    s.nodes = {{0, 2 * GiB, 0}};
    s.core_node = {0, 3, 3, 0};
    ASSERT_TRUE(s.run()) << s.diag.all();
    EXPECT_TRUE(s.diag.mentions("node 3 has cores")) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    for (const Partition& p : s.out) {
        EXPECT_EQ(p.node, 0);
        EXPECT_EQ(p.bytes, 512 * MiB);
    }
}

TEST(MemPartition, WithoutNode0MemoryTheLowestMemoryIsTheFallback)
{
    Split s;
    s.usable = {{0, 2 * GiB}};
    s.nodes = {{0, 1 * GiB, 2}, {1 * GiB, 2 * GiB, 1}};
    s.core_node = {0, 1, 2};
    ASSERT_TRUE(s.run()) << s.diag.all();
    EXPECT_TRUE(s.diag.mentions("node 0 has cores")) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    EXPECT_EQ(s.out[0].node, 2);
    EXPECT_EQ(s.out[1].bytes, 1 * GiB);
}

TEST(MemPartition, TooFragmentedForOneCoreFailsCleanly)
{
    Split s;
    for (uint64_t i = 0; i < 40; ++i)
        s.usable.push_back({0x100000 + i * 0x10000, 0x100000 + i * 0x10000 + 0x2000});
    s.core_node = {0, 0};
    EXPECT_FALSE(s.run());
    EXPECT_TRUE(s.diag.mentions("too fragmented")) << s.diag.all();
    expect_cleared(s.out.data(), 2);
}

TEST(MemPartition, InvertedEntriesAreReported)
{
    Split s = qemu_map(2);
    s.usable.push_back({0x9000000, 0x8000000});
    s.nodes = {{0, 4 * GiB, 0}, {8 * GiB, 5 * GiB, 1}};
    ASSERT_TRUE(s.run());
    EXPECT_TRUE(s.diag.mentions("usable entry 2")) << s.diag.all();
    EXPECT_TRUE(s.diag.mentions("SRAT: memory range 1")) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));

    // A reservation that cannot be interpreted must not be ignored.
    Split bad = qemu_map(2);
    bad.reserved.push_back({0x3000000, 0x2000000});
    EXPECT_FALSE(bad.run());
    EXPECT_TRUE(bad.diag.mentions("reserved ranges: entry 4")) << bad.diag.all();
    expect_cleared(bad.out.data(), 2);
}

TEST(MemPartition, MemoryOutsideEveryNodeRangeIsDroppedAndReported)
{
    Split s;
    s.usable = {{0, 2 * GiB}};
    s.nodes = {{0, 1 * GiB, 0}};
    s.core_node = {0};
    ASSERT_TRUE(s.run());
    EXPECT_TRUE(s.diag.mentions("outside every memory affinity range")) << s.diag.all();
    EXPECT_EQ(s.out[0].bytes, 1 * GiB);
}

TEST(MemPartition, OverlappingNodeRangesFirstEntryWins)
{
    Split s;
    s.usable = {{0, 2 * GiB}};
    s.nodes = {{1 * GiB, 2 * GiB, 1}, {0, 1536 * MiB, 0}};
    s.core_node = {0, 1};
    ASSERT_TRUE(s.run());
    EXPECT_TRUE(s.diag.mentions("overlaps")) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    EXPECT_EQ(s.out[0].bytes, 1 * GiB);
    EXPECT_EQ(s.out[1].bytes, 1 * GiB);
}

TEST(MemPartition, UnalignedNodeBoundaryGivesTheStraddlingPageToTheHigherNode)
{
    Split s;
    s.usable = {{0, 0x20000}};
    s.nodes = {{0, 0x10800, 0}, {0x10800, 0x20000, 1}};
    s.core_node = {0, 1};
    ASSERT_TRUE(s.run()) << s.diag.all();
    EXPECT_EQ(s.out[0].ranges[0].end, 0x10000u);
    EXPECT_EQ(s.out[1].ranges[0].base, 0x10000u);
}

TEST(MemPartition, TopOfTheAddressSpaceDoesNotWrap)
{
    Split s;
    s.usable = {{0xfffffffffff00000, 0xffffffffffffffff}, {0x1000, 0x3000}};
    s.reserved = {{0xfffffffffffff800, 0xffffffffffffffff}};
    s.core_node = {0};
    ASSERT_TRUE(s.run()) << s.diag.all();
    ASSERT_NO_FATAL_FAILURE(verify_split(s.request(), s.out.data()));
    EXPECT_EQ(s.out[0].bytes, 0x2000u + 0xff000u);
    EXPECT_EQ(s.out[0].ranges[1].end, 0xfffffffffffff000u);
}

TEST(MemPartition, MissingTablesFailCleanly)
{
    CollectDiag diag;
    Partition out[2]{};
    PhysRange usable{0, 1 * GiB};
    uint16_t nodes[2]{0, 0};
    EXPECT_FALSE(split_memory({&usable, 1, nullptr, 0, nullptr, 0, nodes, 0, 0}, out, diag));
    EXPECT_FALSE(split_memory({&usable, 1, nullptr, 0, nullptr, 0, nullptr, 2, 0}, out, diag));
    EXPECT_FALSE(split_memory({&usable, 1, nullptr, 0, nullptr, 0, nodes, 2, 0}, nullptr, diag));
    EXPECT_FALSE(split_memory({nullptr, 3, nullptr, 0, nullptr, 0, nodes, 2, 0}, out, diag));
    EXPECT_EQ(diag.messages.size(), 4u) << diag.all();
    EXPECT_TRUE(split_memory({&usable, 1, nullptr, 0, nullptr, 0, nodes, 2, 0}, out, diag));
}

} // namespace
} // namespace atoll_os::test
