// FrameAllocator: buddy allocation over host memory standing in for a partition.
#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/mem/frame_allocator.hpp"
#include "tests/host/mem/arena.hpp"
#include "tests/host/common/collect_diag.hpp"

namespace atoll_os::test {
namespace {

using mem::FrameAllocator;

constexpr uint64_t MiB = 1 << 20;

uint64_t count_allocs(FrameAllocator& fa, unsigned order, std::vector<uint64_t>& got)
{
    for (uint64_t p; (p = fa.alloc(order)) != 0;)
        got.push_back(p);
    return got.size();
}

TEST(MemFrameAllocator, InitCarvesTheStateTableFromThePartition)
{
    Arena arena(16 * MiB);
    CollectDiag diag;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(arena.partition(), 0, diag)) << diag.all();
    // 4096 frames need one page of one-byte states.
    EXPECT_EQ(fa.total_bytes(), 16 * MiB - kPageSize);
    EXPECT_EQ(fa.free_bytes(), fa.total_bytes());
    EXPECT_TRUE(fa.owns(arena.base()));
    EXPECT_FALSE(fa.owns(arena.end() - kPageSize));   // the state table
    EXPECT_FALSE(fa.owns(arena.end()));
    EXPECT_TRUE(fa.check(diag)) << diag.all();
    EXPECT_TRUE(diag.messages.empty()) << diag.all();
}

TEST(MemFrameAllocator, ExhaustionReturnsZeroAndRecoversAfterFrees)
{
    Arena arena(8 * MiB);
    CollectDiag diag;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(arena.partition(), 0, diag));
    std::vector<uint64_t> frames;
    ASSERT_EQ(count_allocs(fa, 0, frames), fa.total_bytes() / kPageSize);
    EXPECT_EQ(fa.free_bytes(), 0u);
    EXPECT_EQ(fa.alloc(0), 0u);
    EXPECT_EQ(fa.alloc(3), 0u);
    ASSERT_TRUE(fa.free(frames.back()));
    uint64_t again = fa.alloc(0);
    EXPECT_EQ(again, frames.back());
    for (uint64_t p : frames)
        ASSERT_TRUE(fa.free(p));
    EXPECT_EQ(fa.free_bytes(), fa.total_bytes());
    EXPECT_TRUE(fa.check(diag)) << diag.all();
    EXPECT_NE(fa.alloc(FrameAllocator::kMaxOrder), 0u);
    EXPECT_EQ(fa.alloc(FrameAllocator::kMaxOrder + 1), 0u);
}

TEST(MemFrameAllocator, CoalescesBuddiesBackToFullCapacity)
{
    Arena arena(16 * MiB);
    CollectDiag diag;
    FrameAllocator fresh, fa;
    ASSERT_TRUE(fresh.init(arena.partition(), 0, diag));
    std::vector<uint64_t> big;
    uint64_t max_blocks = count_allocs(fresh, FrameAllocator::kMaxOrder, big);
    EXPECT_EQ(max_blocks, 3u);   // 16 MiB minus the state page

    ASSERT_TRUE(fa.init(arena.partition(), 0, diag));
    std::vector<uint64_t> frames;
    count_allocs(fa, 0, frames);
    std::shuffle(frames.begin(), frames.end(), std::mt19937_64(7));
    for (size_t i = 0; i < frames.size(); ++i) {
        ASSERT_TRUE(fa.free(frames[i]));
        if (i % 512 == 0)
            ASSERT_TRUE(fa.check(diag)) << diag.all();
    }
    ASSERT_TRUE(fa.check(diag)) << diag.all();
    std::vector<uint64_t> after;
    EXPECT_EQ(count_allocs(fa, FrameAllocator::kMaxOrder, after), max_blocks);
}

TEST(MemFrameAllocator, EveryOrderIsNaturallyAlignedAndDisjoint)
{
    Arena arena(32 * MiB);
    CollectDiag diag;
    FrameAllocator fa;
    // Start the partition off a large alignment so the carving has to cope.
    ASSERT_TRUE(fa.init(arena.partition(3 * kPageSize), 0, diag)) << diag.all();
    struct Block {
        uint64_t base, end;
    };
    std::vector<Block> blocks;
    for (unsigned order = 0; order <= FrameAllocator::kMaxOrder; ++order) {
        uint64_t size = kPageSize << order;
        for (unsigned i = 0; i < 3; ++i) {
            uint64_t p = fa.alloc(order);
            ASSERT_NE(p, 0u) << "order " << order;
            EXPECT_EQ(p % size, 0u) << "order " << order;
            EXPECT_TRUE(fa.owns(p) && fa.owns(p + size - 1));
            EXPECT_GE(p, arena.base() + 3 * kPageSize);
            blocks.push_back({p, p + size});
        }
    }
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.base < b.base; });
    for (size_t i = 1; i < blocks.size(); ++i)
        EXPECT_LE(blocks[i - 1].end, blocks[i].base);
    EXPECT_TRUE(fa.check(diag)) << diag.all();
}

TEST(MemFrameAllocator, BadFreesAreRejectedAndReported)
{
    Arena arena(8 * MiB), other(1 * MiB);
    CollectDiag diag;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(arena.partition(), 0, diag));
    uint64_t a = fa.alloc(2);
    ASSERT_NE(a, 0u);
    uint64_t before = fa.free_bytes();

    EXPECT_FALSE(fa.free(a, 1));                       // wrong order
    EXPECT_FALSE(fa.free(a + kPageSize, 0));           // interior frame
    EXPECT_FALSE(fa.free(a + 8, 2));                   // misaligned
    EXPECT_FALSE(fa.free(other.base(), 0));            // foreign
    EXPECT_FALSE(fa.free(0, 0));                       // the failure value
    EXPECT_FALSE(fa.free(a, FrameAllocator::kMaxOrder + 1));
    EXPECT_EQ(fa.free_bytes(), before);
    EXPECT_TRUE(diag.mentions("different order")) << diag.all();
    EXPECT_TRUE(diag.mentions("not owned")) << diag.all();

    ASSERT_TRUE(fa.free(a, 2));
    EXPECT_FALSE(fa.free(a, 2));
    EXPECT_TRUE(diag.mentions("double free")) << diag.all();
    EXPECT_EQ(fa.free_bytes(), fa.total_bytes());
    EXPECT_TRUE(fa.check(diag)) << diag.all();
}

TEST(MemFrameAllocator, HoleyPartitionWithRaggedEdges)
{
    Arena arena(16 * MiB);
    CollectDiag diag;
    Partition p{};
    uint64_t b = arena.base();
    p.ranges[0] = {b + 5 * MiB, b + 9 * MiB + 3 * kPageSize};
    p.ranges[1] = {b + 100, b + 2 * MiB};               // unaligned start: reported, shrunk
    p.ranges[2] = {b + 12 * MiB, b + 12 * MiB + kPageSize};  // one page: all state table
    p.count = 3;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(p, 0, diag));
    EXPECT_TRUE(diag.mentions("not page aligned")) << diag.all();
    EXPECT_FALSE(fa.owns(b));
    EXPECT_FALSE(fa.owns(b + 12 * MiB));

    std::vector<uint64_t> frames;
    count_allocs(fa, 0, frames);
    EXPECT_EQ(frames.size() * kPageSize, fa.total_bytes());
    for (uint64_t f : frames) {
        bool in0 = f >= p.ranges[0].base && f + kPageSize <= p.ranges[0].end;
        bool in1 = f >= align_up(p.ranges[1].base) && f + kPageSize <= p.ranges[1].end;
        ASSERT_TRUE(in0 || in1);
        std::memset(reinterpret_cast<void*>(f), 0xa5, kPageSize);  // must not hit the state tables
    }
    for (uint64_t f : frames)
        ASSERT_TRUE(fa.free(f));
    EXPECT_TRUE(fa.check(diag)) << diag.all();
}

TEST(MemFrameAllocator, MalformedPartitionsAreRejected)
{
    Arena arena(4 * MiB);
    CollectDiag diag;
    FrameAllocator fa;

    Partition too_many = arena.partition();
    too_many.count = kMaxPartitionRanges + 1;
    EXPECT_FALSE(fa.init(too_many, 0, diag));

    Partition overlap{};
    overlap.ranges[0] = {arena.base(), arena.base() + 2 * MiB};
    overlap.ranges[1] = {arena.base() + 1 * MiB, arena.base() + 3 * MiB};
    overlap.count = 2;
    EXPECT_FALSE(fa.init(overlap, 0, diag));

    Partition inverted = arena.partition();
    std::swap(inverted.ranges[0].base, inverted.ranges[0].end);
    EXPECT_FALSE(fa.init(inverted, 0, diag));

    EXPECT_FALSE(fa.init(arena.partition(0, kPageSize), 0, diag));
    EXPECT_FALSE(fa.init(Partition{}, 0, diag));
    EXPECT_EQ(diag.messages.size(), 5u) << diag.all();

    // A rejected init leaves an allocator that hands out nothing.
    EXPECT_EQ(fa.alloc(0), 0u);
    EXPECT_EQ(fa.total_bytes(), 0u);
    EXPECT_TRUE(fa.check(diag));
}

TEST(MemFrameAllocator, RandomAllocFreeKeepsContentsAndInvariants)
{
    Arena arena(32 * MiB);
    CollectDiag diag;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(arena.partition(), 0, diag));
    struct Live {
        uint64_t phys;
        unsigned order;
        uint64_t tag;
    };
    std::vector<Live> live;
    std::mt19937_64 rng(42);
    auto stamp = [](const Live& l, bool verify) {
        auto* words = reinterpret_cast<uint64_t*>(l.phys);
        size_t n = (kPageSize << l.order) / sizeof(uint64_t);
        for (size_t i = 0; i < n; i += 61) {
            if (!verify)
                words[i] = l.tag ^ i;
            else if (words[i] != (l.tag ^ i))
                return false;
        }
        return true;
    };
    for (unsigned step = 0; step < 20000; ++step) {
        if (live.empty() || rng() % 100 < 55) {
            unsigned order = static_cast<unsigned>(rng() % 6 == 0 ? rng() % (FrameAllocator::kMaxOrder + 1) : rng() % 3);
            uint64_t p = fa.alloc(order);
            if (p == 0)
                continue;
            ASSERT_EQ(p % (kPageSize << order), 0u);
            live.push_back({p, order, rng()});
            stamp(live.back(), false);
        } else {
            size_t i = rng() % live.size();
            ASSERT_TRUE(stamp(live[i], true)) << "block 0x" << std::hex << live[i].phys << " clobbered";
            ASSERT_TRUE(fa.free(live[i].phys, live[i].order));
            live[i] = live.back();
            live.pop_back();
        }
        if (step % 1000 == 0)
            ASSERT_TRUE(fa.check(diag)) << diag.all();
    }
    for (const Live& l : live) {
        ASSERT_TRUE(stamp(l, true));
        ASSERT_TRUE(fa.free(l.phys, l.order));
    }
    EXPECT_EQ(fa.free_bytes(), fa.total_bytes());
    EXPECT_TRUE(fa.check(diag)) << diag.all();
    std::vector<uint64_t> big;
    EXPECT_EQ(count_allocs(fa, FrameAllocator::kMaxOrder, big), 7u);  // 32 MiB minus the state pages
}

TEST(MemFrameAllocator, VirtOffsetSeparatesPhysicalFromMapped)
{
    // Pretend physical addresses start at 1 GiB and the physmap maps them onto the arena.
    Arena arena(8 * MiB);
    const uint64_t fake_phys = 1ull << 30;
    const uint64_t offset = arena.base() - fake_phys;
    CollectDiag diag;
    Partition p{};
    p.ranges[0] = {fake_phys, fake_phys + 8 * MiB};
    p.count = 1;
    FrameAllocator fa;
    ASSERT_TRUE(fa.init(p, offset, diag));
    uint64_t a = fa.alloc(4);
    ASSERT_GE(a, fake_phys);
    ASSERT_LT(a, fake_phys + 8 * MiB);
    std::memset(reinterpret_cast<void*>(a + offset), 0x5a, kPageSize << 4);
    EXPECT_TRUE(fa.free(a, 4));
    EXPECT_TRUE(fa.check(diag)) << diag.all();
}

} // namespace
} // namespace atoll_os::test
