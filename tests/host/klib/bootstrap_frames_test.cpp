// BootstrapFrames: the bump allocator a core uses for its first page tables
// and private data, and the partition it hands on to the real allocator.
// Pure address arithmetic, so the partitions are made-up addresses.
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "percpu/bootstrap_frames.hpp"

namespace atoll_os::klib_test {
namespace {

constexpr uint64_t P = kPageSize;

Partition make_partition(std::initializer_list<PhysRange> ranges, uint16_t node = 0)
{
    Partition p{};
    for (const PhysRange& r : ranges) {
        p.ranges[p.count++] = r;
        p.bytes += r.size();
    }
    p.node = node;
    return p;
}

uint64_t sum_sizes(const Partition& p)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < p.count; ++i) total += p.ranges[i].size();
    return total;
}

TEST(KlibBootstrapFrames, HandsOutFramesInAddressOrder)
{
    Partition part = make_partition({{0x100000, 0x104000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    EXPECT_EQ(f.alloc_frame(), 0x101000u);
    EXPECT_EQ(f.alloc_frame(), 0x102000u);
    EXPECT_EQ(f.alloc_frame(), 0x103000u);
    EXPECT_EQ(f.alloc_frame(), 0u);
}

TEST(KlibBootstrapFrames, ContinuesInTheNextRange)
{
    Partition part = make_partition({{0x100000, 0x102000}, {0x400000, 0x402000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    EXPECT_EQ(f.alloc_frame(), 0x101000u);
    EXPECT_EQ(f.alloc_frame(), 0x400000u);
    EXPECT_EQ(f.alloc_frame(), 0x401000u);
    EXPECT_EQ(f.alloc_frame(), 0u);
}

TEST(KlibBootstrapFrames, SkipFrontStartsAfterTheSkippedBytes)
{
    Partition part = make_partition({{0x100000, 0x110000}});
    BootstrapFrames f(part, 2 * P, 0);
    EXPECT_EQ(f.alloc_frame(), 0x102000u);
}

TEST(KlibBootstrapFrames, KeepBackStopsBeforeTheTail)
{
    Partition part = make_partition({{0x100000, 0x104000}});
    BootstrapFrames f(part, P, 2 * P);
    EXPECT_EQ(f.alloc_frame(), 0x101000u);
    EXPECT_EQ(f.alloc_frame(), 0u) << "0x102000.. is the kept tail";
}

TEST(KlibBootstrapFrames, SkipAndKeepApplyOnlyToTheFirstRange)
{
    Partition part = make_partition({{0x100000, 0x102000}, {0x400000, 0x402000}});
    BootstrapFrames f(part, P, P);
    EXPECT_EQ(f.alloc_frame(), 0x400000u) << "range 0 is all skip and keep";
    EXPECT_EQ(f.alloc_frame(), 0x401000u);
    EXPECT_EQ(f.alloc_frame(), 0u);
}

TEST(KlibBootstrapFrames, SkipLargerThanFirstRangeMovesOn)
{
    Partition part = make_partition({{0x100000, 0x102000}, {0x400000, 0x401000}});
    BootstrapFrames f(part, 0x10000, 0);
    EXPECT_EQ(f.alloc_frame(), 0x400000u);
    EXPECT_EQ(f.alloc_frame(), 0u);
}

TEST(KlibBootstrapFrames, AllocContiguousRoundsUpToWholePages)
{
    Partition part = make_partition({{0x100000, 0x110000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_contiguous(1), 0x100000u);
    EXPECT_EQ(f.alloc_contiguous(P + 1), 0x101000u);
    EXPECT_EQ(f.alloc_frame(), 0x103000u);
}

TEST(KlibBootstrapFrames, AllocContiguousSkipsToNextRangeWhenCurrentTooSmall)
{
    Partition part = make_partition({{0x100000, 0x103000}, {0x200000, 0x202000}, {0x400000, 0x410000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    EXPECT_EQ(f.alloc_contiguous(4 * P), 0x400000u) << "ranges 0 and 1 cannot hold 16 KiB";
    EXPECT_EQ(f.alloc_frame(), 0x404000u) << "skipped tails are not revisited";
}

TEST(KlibBootstrapFrames, AllocContiguousExactFitUsesTheWholeRange)
{
    Partition part = make_partition({{0x100000, 0x104000}, {0x200000, 0x201000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_contiguous(4 * P), 0x100000u);
    EXPECT_EQ(f.alloc_frame(), 0x200000u);
}

TEST(KlibBootstrapFrames, AllocContiguousTooLargeForAnyRangeReturnsZero)
{
    Partition part = make_partition({{0x100000, 0x104000}, {0x200000, 0x204000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_contiguous(5 * P), 0u);
}

TEST(KlibBootstrapFrames, ExhaustionKeepsReturningZero)
{
    Partition part = make_partition({{0x100000, 0x101000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(f.alloc_frame(), 0u);
    EXPECT_EQ(f.alloc_contiguous(P), 0u);
}

TEST(KlibBootstrapFrames, EmptyPartitionHandsOutNothing)
{
    Partition part{};
    BootstrapFrames f(part, P, P);
    EXPECT_EQ(f.alloc_frame(), 0u);
    EXPECT_EQ(f.alloc_contiguous(P), 0u);
    Partition left = f.remaining(part);
    EXPECT_EQ(left.count, 0u);
    EXPECT_EQ(left.bytes, 0u);
}

TEST(KlibBootstrapFrames, SourceThunkAllocatesFromTheSameCursor)
{
    Partition part = make_partition({{0x100000, 0x103000}});
    BootstrapFrames f(part, 0, 0);
    FrameSource src = f.source();
    EXPECT_EQ(src.alloc(src.ctx), 0x100000u);
    EXPECT_EQ(f.alloc_frame(), 0x101000u);
    EXPECT_EQ(src.alloc(src.ctx), 0x102000u);
    EXPECT_EQ(src.alloc(src.ctx), 0u);
}

TEST(KlibBootstrapFrames, RemainingWithNothingHandedOutExcludesOnlyTheSkippedFront)
{
    Partition part = make_partition({{0x100000, 0x110000}, {0x400000, 0x420000}}, 3);
    BootstrapFrames f(part, 2 * P, 4 * P);
    Partition left = f.remaining(part);
    ASSERT_EQ(left.count, 2u);
    EXPECT_EQ(left.ranges[0].base, 0x102000u);
    EXPECT_EQ(left.ranges[0].end, 0x110000u) << "the kept tail is handed back";
    EXPECT_EQ(left.ranges[1].base, 0x400000u);
    EXPECT_EQ(left.ranges[1].end, 0x420000u);
    EXPECT_EQ(left.bytes, part.bytes - 2 * P);
    EXPECT_EQ(left.node, 3u);
}

TEST(KlibBootstrapFrames, RemainingExcludesExactlyTheHandedOutFrames)
{
    Partition part = make_partition({{0x100000, 0x110000}});
    BootstrapFrames f(part, P, 2 * P);
    std::vector<uint64_t> got;
    for (int i = 0; i < 3; ++i) got.push_back(f.alloc_frame());
    EXPECT_EQ(got, (std::vector<uint64_t>{0x101000, 0x102000, 0x103000}));
    Partition left = f.remaining(part);
    ASSERT_EQ(left.count, 1u);
    EXPECT_EQ(left.ranges[0].base, 0x104000u);
    EXPECT_EQ(left.ranges[0].end, 0x110000u);
    for (uint64_t frame : got) EXPECT_FALSE(frame >= left.ranges[0].base && frame < left.ranges[0].end);
}

TEST(KlibBootstrapFrames, RemainingIncludesKeptTailWhileStillInFirstRange)
{
    Partition part = make_partition({{0x100000, 0x104000}, {0x400000, 0x401000}});
    BootstrapFrames f(part, 0, 2 * P);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    EXPECT_EQ(f.alloc_frame(), 0x101000u); // range 0 is now used up to the kept tail
    Partition left = f.remaining(part);
    ASSERT_EQ(left.count, 2u);
    EXPECT_EQ(left.ranges[0].base, 0x102000u);
    EXPECT_EQ(left.ranges[0].end, 0x104000u);
    EXPECT_EQ(left.ranges[1].base, 0x400000u);
}

TEST(KlibBootstrapFrames, RemainingDropsRangesMovedPast)
{
    Partition part = make_partition({{0x100000, 0x103000}, {0x200000, 0x210000}, {0x400000, 0x410000}}, 1);
    BootstrapFrames f(part, P, P);
    EXPECT_EQ(f.alloc_frame(), 0x101000u);
    EXPECT_EQ(f.alloc_contiguous(3 * P), 0x200000u); // range 0 (and its kept tail) is left behind
    Partition left = f.remaining(part);
    ASSERT_EQ(left.count, 2u);
    EXPECT_EQ(left.ranges[0].base, 0x203000u);
    EXPECT_EQ(left.ranges[0].end, 0x210000u);
    EXPECT_EQ(left.ranges[1].base, 0x400000u);
    EXPECT_EQ(left.ranges[1].end, 0x410000u);
    EXPECT_EQ(left.bytes, sum_sizes(left));
    EXPECT_EQ(left.node, 1u);
}

TEST(KlibBootstrapFrames, RemainingOmitsAFullyUsedCurrentRange)
{
    Partition part = make_partition({{0x100000, 0x102000}, {0x200000, 0x202000}});
    BootstrapFrames f(part, 0, 0);
    f.alloc_frame();
    f.alloc_frame();
    f.alloc_frame(); // moves into range 1
    f.alloc_frame(); // and uses it up
    Partition left = f.remaining(part);
    EXPECT_EQ(left.count, 0u);
    EXPECT_EQ(left.bytes, 0u);
}

TEST(KlibBootstrapFrames, RemainingAfterExhaustionIsEmpty)
{
    Partition part = make_partition({{0x100000, 0x102000}});
    BootstrapFrames f(part, 0, 0);
    while (f.alloc_frame()) {
    }
    Partition left = f.remaining(part);
    EXPECT_EQ(left.count, 0u);
    EXPECT_EQ(left.bytes, 0u);
}

TEST(KlibBootstrapFrames, BytesAreConservedWithinTheFirstRange)
{
    // handed out + skipped front + remaining (kept tail included) == total
    Partition part = make_partition({{0x100000, 0x180000}, {0x400000, 0x440000}});
    const uint64_t skip = 2 * P, keep = 8 * P;
    BootstrapFrames f(part, skip, keep);
    uint64_t handed = 0;
    for (int i = 0; i < 5; ++i) {
        ASSERT_NE(f.alloc_frame(), 0u);
        handed += P;
    }
    ASSERT_NE(f.alloc_contiguous(10 * P + 1), 0u);
    handed += 11 * P;
    Partition left = f.remaining(part);
    EXPECT_EQ(left.bytes, sum_sizes(left));
    EXPECT_EQ(handed + skip + left.bytes, part.bytes);
}

TEST(KlibBootstrapFrames, BytesAreConservedAcrossRanges)
{
    // Moving on abandons range 0's unused part and its kept tail.
    Partition part = make_partition({{0x100000, 0x106000}, {0x200000, 0x210000}, {0x400000, 0x440000}});
    const uint64_t skip = P, keep = 2 * P;
    BootstrapFrames f(part, skip, keep);
    ASSERT_EQ(f.alloc_frame(), 0x101000u);
    ASSERT_EQ(f.alloc_contiguous(4 * P), 0x200000u);
    const uint64_t handed = 5 * P;
    const uint64_t abandoned = (0x106000 - 0x102000); // 2 unused frames + the kept tail
    Partition left = f.remaining(part);
    EXPECT_EQ(handed + skip + abandoned + left.bytes, part.bytes);
}

TEST(KlibBootstrapFrames, CopyContinuesFromTheSameCursor)
{
    // ap_main copies the BootstrapFrames off the old stack.
    Partition part = make_partition({{0x100000, 0x104000}});
    BootstrapFrames f(part, 0, 0);
    f.alloc_frame();
    BootstrapFrames copy = f;
    EXPECT_EQ(copy.alloc_frame(), 0x101000u);
    EXPECT_EQ(copy.remaining(part).ranges[0].base, 0x102000u);
}

} // namespace
TEST(KlibBootstrapFrames, UnsatisfiableRequestLeavesTheRangesUsable)
{
    Partition part = make_partition({{0x100000, 0x104000}, {0x400000, 0x402000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_contiguous(64 * P), 0u);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
    EXPECT_EQ(f.alloc_contiguous(2 * P), 0x101000u);
    EXPECT_EQ(f.alloc_contiguous(2 * P), 0x400000u); // only 1 page left in range 0
    Partition left = f.remaining(part);
    EXPECT_EQ(sum_sizes(left), 0u);
}

TEST(KlibBootstrapFrames, HugeRequestDoesNotWrap)
{
    Partition part = make_partition({{0x100000, 0x104000}});
    BootstrapFrames f(part, 0, 0);
    EXPECT_EQ(f.alloc_contiguous(~0ull), 0u);
    EXPECT_EQ(f.alloc_contiguous(~0ull - P + 2), 0u);
    EXPECT_EQ(f.alloc_contiguous(0), 0u);
    EXPECT_EQ(f.alloc_frame(), 0x100000u);
}

} // namespace atoll_os::klib_test
