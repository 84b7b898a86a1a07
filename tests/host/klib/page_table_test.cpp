// PageTables: building x86-64 4-level tables in an arena of host pages that
// stands in for physical memory (virt_offset 0, phys = arena address). The
// mapped physical addresses are never touched, so they can be anything.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/arch/x86_64/page_table.hpp"

namespace atoll_os::klib_test {
namespace {

constexpr uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

// Page-table frames from an aligned arena; `limit` frames at most.
class FrameArena {
public:
    explicit FrameArena(size_t pages) : mem_(static_cast<uint8_t*>(std::aligned_alloc(K4, pages * K4))), pages_(pages)
    {
        std::memset(mem_, 0xa5, pages * K4); // the builder must zero what it takes
        limit_ = pages;
    }
    ~FrameArena() { std::free(mem_); }
    FrameArena(const FrameArena&) = delete;
    FrameArena& operator=(const FrameArena&) = delete;

    FrameSource source() { return FrameSource{&FrameArena::alloc, this}; }
    size_t used() const { return next_; }
    void run_dry_after(size_t more) { limit_ = next_ + more; }
    bool owns(uint64_t phys) const
    {
        auto base = reinterpret_cast<uint64_t>(mem_);
        return phys >= base && phys < base + pages_ * K4 && phys % K4 == 0;
    }

private:
    static uint64_t alloc(void* ctx)
    {
        auto* self = static_cast<FrameArena*>(ctx);
        if (self->next_ >= self->limit_ || self->next_ >= self->pages_) return 0;
        return reinterpret_cast<uint64_t>(self->mem_ + K4 * self->next_++);
    }

    uint8_t* mem_;
    size_t pages_;
    size_t limit_;
    size_t next_ = 0;
};

// An independent walk: the level the leaf was found at (2 = 1G, 1 = 2M,
// 0 = 4K), -1 if unmapped; `entries[l]` is the entry read at level l.
struct Walk {
    int leaf_level = -1;
    uint64_t entries[4] = {};
};
Walk walk(uint64_t root, uint64_t va)
{
    Walk w;
    auto* t = reinterpret_cast<const uint64_t*>(root);
    for (int level = 3; level >= 0; --level) {
        uint64_t e = t[(va >> (12 + 9 * level)) & 511];
        w.entries[level] = e;
        if (!(e & pte::kPresent)) return w;
        if (level == 0 || (level <= 2 && (e & pte::kLarge))) {
            w.leaf_level = level;
            return w;
        }
        t = reinterpret_cast<const uint64_t*>(e & pte::kAddressMask);
    }
    return w;
}

struct Tables {
    FrameArena arena;
    FrameSource src;
    PageTables pt;

    explicit Tables(bool allow_1g, size_t pages = 64)
        : arena(pages), src(arena.source()), pt(PageTables::create_root(src, 0), 0, allow_1g)
    {
    }
    bool map(uint64_t va, uint64_t pa, uint64_t size, MapFlags f = {}) { return pt.map(va, pa, size, f, src); }
    int level_of(uint64_t va) const { return walk(pt.root(), va).leaf_level; }
    uint64_t leaf(uint64_t va) const
    {
        Walk w = walk(pt.root(), va);
        return w.leaf_level < 0 ? 0 : w.entries[w.leaf_level];
    }
    uint64_t pa_of(uint64_t va) const
    {
        uint64_t pa = 0;
        EXPECT_TRUE(pt.translate(va, pa)) << std::hex << "va 0x" << va;
        return pa;
    }
};

TEST(KlibPageTable, CreateRootGivesZeroedArenaFrame)
{
    FrameArena arena(4);
    FrameSource src = arena.source();
    uint64_t root = PageTables::create_root(src, 0);
    ASSERT_NE(root, 0u);
    EXPECT_TRUE(arena.owns(root));
    auto* entries = reinterpret_cast<const uint64_t*>(root);
    for (int i = 0; i < 512; ++i) ASSERT_EQ(entries[i], 0u) << i;
}

TEST(KlibPageTable, CreateRootFailsWhenSourceIsDry)
{
    FrameArena arena(4);
    arena.run_dry_after(0);
    FrameSource src = arena.source();
    EXPECT_EQ(PageTables::create_root(src, 0), 0u);
}

TEST(KlibPageTable, EmptyTablesTranslateNothing)
{
    Tables t(true);
    uint64_t pa = 0xdead;
    EXPECT_FALSE(t.pt.translate(0, pa));
    EXPECT_FALSE(t.pt.translate(0xffffffff80000000ull, pa));
    EXPECT_EQ(pa, 0xdeadu);
}

TEST(KlibPageTable, PageAlignedRangeUses4KPages)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x7000, 3 * K4));
    for (uint64_t i = 0; i < 3; ++i) {
        EXPECT_EQ(t.level_of(0x1000 + i * K4), 0);
        EXPECT_EQ(t.pa_of(0x1000 + i * K4), 0x7000 + i * K4);
    }
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(0x0, pa));
    EXPECT_FALSE(t.pt.translate(0x4000, pa));
    EXPECT_EQ(t.arena.used(), 4u) << "root, PDPT, PD, PT";
}

TEST(KlibPageTable, TwoMegAlignedRangeUses2MPages)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x40200000, 0x80200000, 2 * M2));
    EXPECT_EQ(t.level_of(0x40200000), 1);
    EXPECT_EQ(t.level_of(0x40400000), 1);
    EXPECT_TRUE(t.leaf(0x40200000) & pte::kLarge);
    EXPECT_EQ(t.arena.used(), 3u) << "root, PDPT, PD: no page table";
}

TEST(KlibPageTable, OneGigAlignedRangeUses1GPageWhenAllowed)
{
    Tables t(true);
    ASSERT_TRUE(t.map(G1, 2 * G1, G1));
    EXPECT_EQ(t.level_of(G1), 2);
    EXPECT_EQ(t.level_of(2 * G1 - K4), 2);
    EXPECT_TRUE(t.leaf(G1) & pte::kLarge);
    EXPECT_EQ(t.arena.used(), 2u) << "root, PDPT";
}

TEST(KlibPageTable, NoOneGigPagesWhenNotAllowed)
{
    Tables t(false);
    ASSERT_TRUE(t.map(G1, 2 * G1, 2 * G1));
    for (uint64_t va = G1; va < 3 * G1; va += M2) {
        ASSERT_EQ(t.level_of(va), 1) << std::hex << va;
        ASSERT_EQ(t.pa_of(va), va + G1) << std::hex << va;
    }
    EXPECT_EQ(t.arena.used(), 4u) << "root, PDPT, two PDs";
}

TEST(KlibPageTable, MisalignedPhysicalPreventsLargePages)
{
    // va is 2M aligned but pa only 4K aligned: 4K pages throughout.
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x201000, M2));
    EXPECT_EQ(t.level_of(0x200000), 0);
    EXPECT_EQ(t.level_of(0x3ff000), 0);
    EXPECT_EQ(t.pa_of(0x3ff000), 0x400000u);
}

TEST(KlibPageTable, TooSmallForLargePageUses4K)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x200000, M2 - K4));
    EXPECT_EQ(t.level_of(0x200000), 0);
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(0x3ff000, pa));
}

TEST(KlibPageTable, TranslateKeepsOffsetWithinEachPageSize)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x9000, K4));
    ASSERT_TRUE(t.map(0x40000000 + M2, 0x7fe00000, M2));
    ASSERT_TRUE(t.map(4 * G1, 7 * G1, G1));
    EXPECT_EQ(t.pa_of(0x1000), 0x9000u);
    EXPECT_EQ(t.pa_of(0x1abc), 0x9abcu);
    EXPECT_EQ(t.pa_of(0x1fff), 0x9fffu);
    EXPECT_EQ(t.pa_of(0x40000000 + M2 + 0x12345), 0x7fe12345u);
    EXPECT_EQ(t.pa_of(0x40000000 + 2 * M2 - 1), 0x7fffffffu);
    EXPECT_EQ(t.pa_of(4 * G1 + 0x3fedcba9), 7 * G1 + 0x3fedcba9);
    EXPECT_EQ(t.pa_of(5 * G1 - 1), 8 * G1 - 1);
}

TEST(KlibPageTable, TranslateReportsTheLeafEntry)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x600000, M2, MapFlags{.write = true}));
    uint64_t pa = 0, leaf = 0;
    ASSERT_TRUE(t.pt.translate(0x200010, pa, &leaf));
    EXPECT_EQ(pa, 0x600010u);
    EXPECT_EQ(leaf, t.leaf(0x200000));
    EXPECT_EQ(leaf & pte::kAddressMask, 0x600000u);
}

TEST(KlibPageTable, HigherHalfKernelAddressesMap)
{
    Tables t(true);
    const uint64_t va = 0xffffffff80000000ull;
    ASSERT_TRUE(t.map(va, 0x100000, 0x5000, MapFlags{.execute = true}));
    EXPECT_EQ(t.pa_of(va + 0x4321), 0x104321u);
    EXPECT_EQ(walk(t.pt.root(), va).entries[3], reinterpret_cast<const uint64_t*>(t.pt.root())[511]);
}

TEST(KlibPageTable, MixedSizesAcrossTwoMegAndOneGigBoundaries)
{
    // [1G - 2M - 8K, 2G + 2M + 4K): 2 x 4K, 1 x 2M, 1 x 1G, 1 x 2M, 1 x 4K.
    Tables t(true);
    const uint64_t va = G1 - M2 - 2 * K4, pa = 5 * G1 - M2 - 2 * K4;
    const uint64_t size = 2 * K4 + M2 + G1 + M2 + K4;
    ASSERT_TRUE(t.map(va, pa, size));
    EXPECT_EQ(t.level_of(va), 0);
    EXPECT_EQ(t.level_of(va + K4), 0);
    EXPECT_EQ(t.level_of(G1 - M2), 1);
    EXPECT_EQ(t.level_of(G1), 2);
    EXPECT_EQ(t.level_of(2 * G1 - K4), 2);
    EXPECT_EQ(t.level_of(2 * G1), 1);
    EXPECT_EQ(t.level_of(2 * G1 + M2), 0);
    uint64_t out;
    EXPECT_FALSE(t.pt.translate(va - K4, out));
    EXPECT_FALSE(t.pt.translate(va + size, out));
    for (uint64_t off = 0; off < size; off += 0x1f3000) EXPECT_EQ(t.pa_of(va + off), pa + off) << std::hex << off;
    EXPECT_EQ(t.pa_of(va + size - 1), pa + size - 1);
}

TEST(KlibPageTable, MixedSizesWithout1GUse2MInTheMiddle)
{
    Tables t(false);
    const uint64_t va = G1 - K4, pa = 3 * G1 - K4;
    ASSERT_TRUE(t.map(va, pa, K4 + G1 + K4));
    EXPECT_EQ(t.level_of(va), 0);
    for (uint64_t a = G1; a < 2 * G1; a += M2) ASSERT_EQ(t.level_of(a), 1) << std::hex << a;
    EXPECT_EQ(t.level_of(2 * G1), 0);
    EXPECT_EQ(t.pa_of(2 * G1 + 0x10), pa + K4 + G1 + 0x10);
}

TEST(KlibPageTable, LeafIsNoExecuteUnlessExecuteRequested)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x1000, K4));
    ASSERT_TRUE(t.map(0x2000, 0x2000, K4, MapFlags{.execute = true}));
    ASSERT_TRUE(t.map(0x200000, 0x200000, M2));
    ASSERT_TRUE(t.map(G1, G1, G1, MapFlags{.execute = true}));
    EXPECT_TRUE(t.leaf(0x1000) & pte::kNoExecute);
    EXPECT_FALSE(t.leaf(0x2000) & pte::kNoExecute);
    EXPECT_TRUE(t.leaf(0x200000) & pte::kNoExecute);
    EXPECT_FALSE(t.leaf(G1) & pte::kNoExecute);
    EXPECT_EQ(t.pa_of(0x1000), 0x1000u) << "NX must not leak into the address";
}

TEST(KlibPageTable, DefaultFlagsGiveReadOnlySupervisorCachedPage)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4));
    EXPECT_EQ(t.leaf(0x1000), 0x5000 | pte::kPresent | pte::kNoExecute);
}

TEST(KlibPageTable, WriteUserAndUncachedSetTheirBits)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4, MapFlags{.write = true}));
    ASSERT_TRUE(t.map(0x2000, 0x6000, K4, MapFlags{.user = true}));
    ASSERT_TRUE(t.map(0x3000, 0xfee00000, K4, MapFlags{.write = true, .uncached = true}));
    uint64_t w = t.leaf(0x1000), u = t.leaf(0x2000), c = t.leaf(0x3000);
    EXPECT_TRUE(w & pte::kWrite);
    EXPECT_FALSE(w & pte::kUser);
    EXPECT_FALSE(w & (pte::kCacheDisable | pte::kWriteThrough));
    EXPECT_TRUE(u & pte::kUser);
    EXPECT_FALSE(u & pte::kWrite);
    EXPECT_EQ(c & (pte::kCacheDisable | pte::kWriteThrough), pte::kCacheDisable | pte::kWriteThrough);
    EXPECT_TRUE(c & pte::kWrite);
    for (uint64_t e : {w, u, c}) EXPECT_FALSE(e & pte::kGlobal);
}

TEST(KlibPageTable, LargeLeavesCarryFlagsToo)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x200000, M2, MapFlags{.write = true, .user = true, .uncached = true}));
    uint64_t e = t.leaf(0x200000);
    EXPECT_EQ(e, 0x200000 | pte::kPresent | pte::kWrite | pte::kUser | pte::kCacheDisable | pte::kWriteThrough |
                     pte::kLarge | pte::kNoExecute);
}

TEST(KlibPageTable, UpperLevelsAllowEverythingLeafDecides)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4)); // read-only, NX, supervisor
    Walk w = walk(t.pt.root(), 0x1000);
    ASSERT_EQ(w.leaf_level, 0);
    for (int level = 1; level <= 3; ++level) {
        EXPECT_TRUE(w.entries[level] & pte::kWrite) << level;
        EXPECT_FALSE(w.entries[level] & pte::kNoExecute) << level;
        EXPECT_FALSE(w.entries[level] & pte::kLarge) << level;
        EXPECT_FALSE(w.entries[level] & pte::kUser) << level;
        EXPECT_TRUE(t.arena.owns(w.entries[level] & pte::kAddressMask)) << level;
    }
}

TEST(KlibPageTable, UserMappingOpensExistingUpperLevels)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4));                         // supervisor first
    ASSERT_TRUE(t.map(0x2000, 0x6000, K4, MapFlags{.user = true})); // same PT
    Walk w = walk(t.pt.root(), 0x2000);
    for (int level = 0; level <= 3; ++level) EXPECT_TRUE(w.entries[level] & pte::kUser) << level;
    EXPECT_FALSE(t.leaf(0x1000) & pte::kUser) << "the supervisor leaf stays supervisor";
}

TEST(KlibPageTable, MappingsShareIntermediateTables)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x1000, K4));
    size_t after_first = t.arena.used();
    ASSERT_TRUE(t.map(0x5000, 0x5000, K4));
    ASSERT_TRUE(t.map(0x400000, 0x400000, M2));
    EXPECT_EQ(t.arena.used(), after_first) << "same PT for 0x5000, same PD for the 2M page";
}

TEST(KlibPageTable, RemappingSame4KPageFails)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4));
    EXPECT_FALSE(t.map(0x1000, 0x9000, K4));
    EXPECT_EQ(t.pa_of(0x1000), 0x5000u) << "the first mapping is kept";
}

TEST(KlibPageTable, TwoMegPageOver4KMappingFails)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x203000, 0x5000, K4));
    EXPECT_FALSE(t.map(0x200000, 0x200000, M2));
    EXPECT_EQ(t.pa_of(0x203000), 0x5000u);
}

TEST(KlibPageTable, FourKInsideTwoMegPageFails)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x200000, M2));
    EXPECT_FALSE(t.map(0x201000, 0x9000, K4));
    EXPECT_EQ(t.pa_of(0x201000), 0x201000u);
}

TEST(KlibPageTable, TwoMegInsideOneGigPageFails)
{
    Tables t(true);
    ASSERT_TRUE(t.map(G1, G1, G1));
    EXPECT_FALSE(t.map(G1 + M2, 0x200000, M2));
    EXPECT_FALSE(t.map(G1 + K4, 0x1000, K4));
    EXPECT_EQ(t.pa_of(G1 + M2), G1 + M2);
}

TEST(KlibPageTable, OneGigPageOverSmallerMappingFails)
{
    Tables t(true);
    ASSERT_TRUE(t.map(G1 + 0x7000, 0x7000, K4));
    EXPECT_FALSE(t.map(G1, 3 * G1, G1));
    EXPECT_EQ(t.pa_of(G1 + 0x7000), 0x7000u);
}

TEST(KlibPageTable, AdjacentMappingsDoNotOverlap)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x200000, 0x200000, M2));
    EXPECT_TRUE(t.map(0x1ff000, 0x9000, K4));
    EXPECT_TRUE(t.map(0x400000, 0xa000, K4));
}

TEST(KlibPageTable, MisalignedArgumentsFailWithoutTakingFrames)
{
    Tables t(true);
    size_t before = t.arena.used();
    EXPECT_FALSE(t.map(0x1001, 0x5000, K4));
    EXPECT_FALSE(t.map(0x1000, 0x5800, K4));
    EXPECT_FALSE(t.map(0x1000, 0x5000, K4 + 1));
    EXPECT_FALSE(t.map(0x1000, 0x5000, 0x800));
    EXPECT_EQ(t.arena.used(), before);
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(0x1000, pa));
}

TEST(KlibPageTable, ZeroSizeMapsNothing)
{
    Tables t(true);
    size_t before = t.arena.used();
    EXPECT_TRUE(t.map(0x1000, 0x5000, 0));
    EXPECT_EQ(t.arena.used(), before);
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(0x1000, pa));
}

TEST(KlibPageTable, FrameExhaustionFails)
{
    Tables t(true);
    t.arena.run_dry_after(2); // PDPT and PD, but no PT
    EXPECT_FALSE(t.map(0x1000, 0x5000, K4));
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(0x1000, pa));
}

TEST(KlibPageTable, ExactlyEnoughFramesSucceeds)
{
    Tables t(true);
    t.arena.run_dry_after(3);
    EXPECT_TRUE(t.map(0x1000, 0x5000, K4));
    EXPECT_EQ(t.pa_of(0x1000), 0x5000u);
    EXPECT_FALSE(t.map(G1, 0x5000, K4)) << "a new PD would be needed";
}

TEST(KlibPageTable, DrySourceStillAllowsMappingIntoExistingTables)
{
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4));
    t.arena.run_dry_after(0);
    EXPECT_TRUE(t.map(0x2000, 0x6000, K4));
    EXPECT_TRUE(t.map(0x200000, 0x200000, M2));
    EXPECT_TRUE(t.map(G1, G1, G1));
    EXPECT_FALSE(t.map(0x400000, 0x400000, K4));
}

TEST(KlibPageTable, ExhaustionPartwayKeepsEarlierPages)
{
    // Two PTs are needed for [2M - 4K, 2M + 4K); only the first is available.
    Tables t(true);
    t.arena.run_dry_after(3);
    EXPECT_FALSE(t.map(M2 - K4, 0x10000, 2 * K4));
    EXPECT_EQ(t.pa_of(M2 - K4), 0x10000u);
    uint64_t pa;
    EXPECT_FALSE(t.pt.translate(M2, pa));
}

TEST(KlibPageTable, NewTablesAreZeroedFromDirtyFrames)
{
    // The arena is filled with 0xa5; any unzeroed entry would look present.
    Tables t(true);
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4));
    uint64_t pa;
    for (uint64_t va = 0; va < M2; va += K4)
        if (va != 0x1000) ASSERT_FALSE(t.pt.translate(va, pa)) << std::hex << va;
    EXPECT_FALSE(t.pt.translate(M2, pa));
    EXPECT_FALSE(t.pt.translate(G1, pa));
    EXPECT_FALSE(t.pt.translate(1ull << 39, pa));
}

// A span's copy of an address space is rebuilt from these visits.
TEST(KlibPageTable, ForEachLeafVisitsEvery4KLeafInRangeInOrder)
{
    Tables t(false, 128);
    const uint64_t far = 5ull << 39; // another PML4 slot: the walk skips the empty ones between
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4, MapFlags{.write = true, .user = true}));
    ASSERT_TRUE(t.map(0x3000, 0x7000, K4, MapFlags{.execute = true, .user = true}));
    ASSERT_TRUE(t.map(far, 0x9000, K4, MapFlags{.user = true, .owned = true}));
    std::vector<std::pair<uint64_t, uint64_t>> seen;
    auto visit = [](uint64_t va, uint64_t leaf, void* ctx) {
        static_cast<std::vector<std::pair<uint64_t, uint64_t>>*>(ctx)->push_back({va, leaf});
    };
    t.pt.for_each_leaf(0, 1ull << 47, visit, &seen);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].first, 0x1000u);
    EXPECT_EQ(seen[1].first, 0x3000u);
    EXPECT_EQ(seen[2].first, far);
    EXPECT_EQ(seen[2].second & pte::kAddressMask, 0x9000u);
    seen.clear();
    t.pt.for_each_leaf(0x2000, far, visit, &seen); // the end is exclusive
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].first, 0x3000u);
}

TEST(KlibPageTable, FlagsOfALeafMapTheSameBitsAgain)
{
    Tables t(false);
    const MapFlags f{.write = true, .execute = false, .user = true, .uncached = true, .owned = true};
    ASSERT_TRUE(t.map(0x1000, 0x5000, K4, f));
    Tables copy(false);
    ASSERT_TRUE(copy.map(0x1000, 0x5000, K4, PageTables::flags_of(t.leaf(0x1000))));
    EXPECT_EQ(copy.leaf(0x1000), t.leaf(0x1000));
    const MapFlags x = PageTables::flags_of(t.leaf(0x1000));
    EXPECT_TRUE(x.write && x.user && x.uncached && x.owned);
    EXPECT_FALSE(x.execute);
}

} // namespace
} // namespace atoll_os::klib_test
