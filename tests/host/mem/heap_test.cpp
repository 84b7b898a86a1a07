// KernelHeap: size-class slabs and large blocks over a host-backed frame allocator.
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/heap.hpp"
#include "tests/host/mem/arena.hpp"
#include "tests/host/common/collect_diag.hpp"

namespace atoll_os::test {
namespace {

using mem::FrameAllocator;
using mem::KernelHeap;

constexpr uint64_t MiB = 1 << 20;

class MemKernelHeap : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(frames.init(arena.partition(), 0, diag)) << diag.all();
        heap.init(frames, 0);
        initial_free = frames.free_bytes();
    }

    // Everything freed: the heap holds nothing and every slab went back.
    void expect_drained()
    {
        EXPECT_EQ(heap.bytes_in_use(), 0u);
        EXPECT_EQ(frames.free_bytes(), initial_free);
        EXPECT_TRUE(heap.check(diag)) << diag.all();
        EXPECT_TRUE(frames.check(diag)) << diag.all();
    }

    Arena arena{32 * MiB};
    CollectDiag diag;
    FrameAllocator frames;
    KernelHeap heap;
    uint64_t initial_free = 0;
};

uintptr_t addr(void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST_F(MemKernelHeap, SmallObjectsAreAlignedDistinctAndSizedByClass)
{
    std::vector<void*> ptrs;
    for (size_t bytes = 0; bytes <= 2048; bytes += 7) {
        void* p = heap.alloc(bytes);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(addr(p) % 16, 0u);
        std::memset(p, 0xcd, bytes);
        ptrs.push_back(p);
    }
    for (size_t align = 16; align <= 2048; align *= 2) {
        void* p = heap.alloc(24, align);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(addr(p) % align, 0u) << "align " << align;
        ptrs.push_back(p);
    }
    void* a = heap.alloc(100);
    void* b = heap.alloc(100);
    EXPECT_NE(a, b);
    EXPECT_EQ(heap.bytes_in_use() % 16, 0u);
    heap.free(a);
    heap.free(b);
    for (void* p : ptrs)
        heap.free(p);
    EXPECT_TRUE(heap.check(diag)) << diag.all();
}

TEST_F(MemKernelHeap, BytesInUseCountsClassSizesAndWholeBlocks)
{
    void* a = heap.alloc(17);     // 32-byte class
    void* b = heap.alloc(2048);   // 2048-byte class
    void* c = heap.alloc(5000);   // 64-byte header + 5000 bytes: an 8 KiB block
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(heap.bytes_in_use(), 32u + 2048u + 8192u);
    EXPECT_TRUE(heap.check(diag)) << diag.all();
    heap.free(a);
    heap.free(b);
    heap.free(c);
    heap.free(nullptr);
    expect_drained();
}

TEST_F(MemKernelHeap, LargeAllocationsHonourAlignment)
{
    std::vector<void*> ptrs;
    for (size_t align : {16ul, 64ul, 128ul, 4096ul, 8192ul, 65536ul, 1ul << 20}) {
        for (size_t bytes : {2049ul, 4000ul, 4096ul, 70000ul}) {
            void* p = heap.alloc(bytes, align);
            ASSERT_NE(p, nullptr) << bytes << " aligned " << align;
            EXPECT_EQ(addr(p) % align, 0u) << bytes << " aligned " << align;
            EXPECT_TRUE(frames.owns(addr(p)) && frames.owns(addr(p) + bytes - 1));
            std::memset(p, 0x77, bytes);
            ptrs.push_back(p);
        }
    }
    EXPECT_TRUE(heap.check(diag)) << diag.all();
    for (void* p : ptrs)
        heap.free(p);
    expect_drained();
}

TEST_F(MemKernelHeap, UnsatisfiableRequestsReturnNull)
{
    EXPECT_EQ(heap.alloc(4 * MiB), nullptr);          // no room for the header
    EXPECT_EQ(heap.alloc(~size_t{0}), nullptr);
    EXPECT_EQ(heap.alloc(16, 24), nullptr);           // not a power of two
    EXPECT_EQ(heap.alloc(16, 0), nullptr);
    EXPECT_EQ(heap.alloc(16, 8 * MiB), nullptr);
    void* p = heap.alloc(4 * MiB - 64);
    EXPECT_NE(p, nullptr);
    heap.free(p);
    expect_drained();

    KernelHeap uninitialised;
    EXPECT_EQ(uninitialised.alloc(16), nullptr);
    uninitialised.free(nullptr);
    EXPECT_TRUE(uninitialised.check(diag));
}

TEST_F(MemKernelHeap, ZeroSizeGivesDistinctObjects)
{
    void* a = heap.alloc(0);
    void* b = heap.alloc(0);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a, b);
    heap.free(a);
    heap.free(b);
    expect_drained();
}

TEST_F(MemKernelHeap, ExhaustionReturnsNullAndRecovers)
{
    for (size_t bytes : {64ul, 3000ul, 1ul << 20}) {
        std::vector<void*> ptrs;
        for (void* p; (p = heap.alloc(bytes)) != nullptr;)
            ptrs.push_back(p);
        ASSERT_GT(ptrs.size(), 0u);
        EXPECT_EQ(heap.alloc(bytes), nullptr);
        heap.free(ptrs.back());
        ptrs.pop_back();
        void* again = heap.alloc(bytes);
        EXPECT_NE(again, nullptr) << bytes;
        ptrs.push_back(again);
        EXPECT_TRUE(heap.check(diag)) << diag.all();
        for (void* p : ptrs)
            heap.free(p);
        expect_drained();
    }
}

TEST_F(MemKernelHeap, BadFreesAreIgnoredAndReportedByCheck)
{
    void* small = heap.alloc(48);
    void* large = heap.alloc(10000);
    ASSERT_TRUE(small && large);
    std::memset(large, 0, 10000);
    int on_stack = 0;
    heap.free(&on_stack);                              // not heap memory
    heap.free(static_cast<char*>(small) + 16);         // inside an object
    heap.free(static_cast<char*>(large) + 4096);       // inside a large block
    EXPECT_EQ(heap.bytes_in_use(), 64u + 16384u);
    heap.free(small);
    heap.free(small);                                  // double free
    heap.free(large);
    heap.free(large);                                  // double free
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(frames.free_bytes(), initial_free);
    EXPECT_FALSE(heap.check(diag));
    EXPECT_TRUE(diag.mentions("5 free(s)")) << diag.all();
    EXPECT_TRUE(frames.check(diag)) << diag.all();
}

TEST_F(MemKernelHeap, StressRandomSizesNeverClobbers)
{
    struct Live {
        uint8_t* p;
        size_t bytes;
        uint8_t seed;
    };
    std::vector<Live> live;
    std::mt19937_64 rng(1234);
    auto fill = [](const Live& l) {
        for (size_t i = 0; i < l.bytes; ++i)
            l.p[i] = static_cast<uint8_t>(l.seed + i * 31);
    };
    auto intact = [](const Live& l) {
        for (size_t i = 0; i < l.bytes; ++i)
            if (l.p[i] != static_cast<uint8_t>(l.seed + i * 31))
                return false;
        return true;
    };
    unsigned nulls = 0;
    for (unsigned step = 0; step < 30000; ++step) {
        if (live.empty() || rng() % 100 < 52) {
            size_t bytes = rng() % 10 == 0 ? rng() % 70000 : rng() % 600;
            size_t align = size_t{1} << (rng() % 8 == 0 ? rng() % 13 : 4);
            auto* p = static_cast<uint8_t*>(heap.alloc(bytes, align));
            if (p == nullptr) {
                ++nulls;
                continue;
            }
            ASSERT_EQ(addr(p) % align, 0u);
            live.push_back({p, bytes, static_cast<uint8_t>(rng())});
            fill(live.back());
        } else {
            size_t i = rng() % live.size();
            ASSERT_TRUE(intact(live[i])) << "allocation of " << live[i].bytes << " bytes clobbered";
            heap.free(live[i].p);
            live[i] = live.back();
            live.pop_back();
        }
        if (step % 2000 == 0)
            ASSERT_TRUE(heap.check(diag)) << diag.all();
    }
    for (const Live& l : live) {
        ASSERT_TRUE(intact(l));
        heap.free(l.p);
    }
    EXPECT_LT(nulls, 100u);
    expect_drained();
}

} // namespace
} // namespace atoll_os::test
