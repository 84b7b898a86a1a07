// Boot path in miniature: split memory, then one frame allocator and heap per core.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/heap.hpp"
#include "percpu/partition.hpp"
#include "tests/host/mem/arena.hpp"
#include "tests/host/common/collect_diag.hpp"

namespace atoll_os::test {
namespace {

constexpr uint64_t MiB = 1 << 20;

TEST(MemIntegration, EachCoreAllocatesOnlyFromItsOwnPartition)
{
    Arena arena(64 * MiB);
    const uint64_t b = arena.base();
    // Two nodes, a hole, a reserved "kernel image" and an unaligned map entry.
    PhysRange usable[] = {{b + 100, b + 30 * MiB}, {b + 34 * MiB, b + 64 * MiB}};
    PhysRange reserved[] = {{b + 2 * MiB, b + 5 * MiB + 1}};
    NodeRange nodes[] = {{b, b + 32 * MiB, 0}, {b + 32 * MiB, b + 64 * MiB, 1}};
    uint16_t core_node[] = {0, 1, 0, 1};
    PartitionRequest req{usable, 2, reserved, 1, nodes, 2, core_node, 4, 4 * MiB};
    Partition parts[4]{};
    CollectDiag diag;
    ASSERT_TRUE(split_memory(req, parts, diag)) << diag.all();

    std::vector<std::unique_ptr<mem::FrameAllocator>> frames;
    std::vector<std::unique_ptr<mem::KernelHeap>> heaps;
    for (const Partition& p : parts) {
        frames.push_back(std::make_unique<mem::FrameAllocator>());
        ASSERT_TRUE(frames.back()->init(p, 0, diag)) << diag.all();
        heaps.push_back(std::make_unique<mem::KernelHeap>());
        heaps.back()->init(*frames.back(), 0);
    }
    for (size_t c = 0; c < 4; ++c) {
        std::vector<void*> objects;
        for (void* o; (o = heaps[c]->alloc(c % 2 ? 3000 : 200)) != nullptr;)
            objects.push_back(o);
        ASSERT_FALSE(objects.empty());
        for (void* o : objects) {
            uint64_t a = reinterpret_cast<uint64_t>(o);
            bool in_partition = false;
            for (uint32_t i = 0; i < parts[c].count; ++i)
                in_partition |= a >= parts[c].ranges[i].base && a < parts[c].ranges[i].end;
            ASSERT_TRUE(in_partition) << "core " << c;
            ASSERT_FALSE(a >= b + 2 * MiB && a < b + 5 * MiB + kPageSize) << "inside the reserved range";
            for (size_t other = 0; other < 4; ++other)
                ASSERT_EQ(frames[other]->owns(a), other == c);
        }
        for (void* o : objects)
            heaps[c]->free(o);
        EXPECT_EQ(heaps[c]->bytes_in_use(), 0u);
        EXPECT_TRUE(heaps[c]->check(diag)) << diag.all();
        EXPECT_EQ(frames[c]->free_bytes(), frames[c]->total_bytes());
    }
}

} // namespace
} // namespace atoll_os::test
