// FrameAllocator: one core's binary buddy allocator over its memory partition.
#pragma once

#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "kernel/mem/phys_range.hpp"
#include "percpu/partition.hpp"

namespace atoll_os::mem {

// Owned by exactly one core, so there is no locking.
class FrameAllocator {
public:
    static constexpr unsigned kMaxOrder = 10;  // 4 KiB .. 4 MiB

    // virt_offset: add to a physical address to reach it (the kernel's
    // physmap; 0 on the host). Each range gives up its last pages for a
    // one-byte-per-frame state table; free blocks hold their own list links.
    // Physical page 0 is never handed out, because 0 means "no memory".
    // `diag` receives later misuse reports (bad free) and must outlive this.
    // Returns false, with a report, if the partition is malformed or empty.
    [[nodiscard]] bool init(const Partition& partition, uint64_t virt_offset, Diag& diag);

    // A block of 4 KiB << order, aligned to its size; 0 on exhaustion or
    // when order > kMaxOrder.
    [[nodiscard]] uint64_t alloc(unsigned order = 0);

    // Returns false, with a report, and changes nothing if `phys` is not
    // a block this allocator handed out with exactly this order: a double
    // free, a foreign or misaligned address, or the wrong order.
    bool free(uint64_t phys, unsigned order = 0);

    uint64_t free_bytes() const { return free_bytes_; }
    uint64_t total_bytes() const { return total_bytes_; }

    // True for any address inside the frames this allocator manages.
    bool owns(uint64_t phys) const { return find_range(phys) != nullptr; }

    // Full scan: free lists agree with the state table, blocks tile each
    // range, byte counts add up. For tests and debug builds.
    bool check(Diag& diag) const;

private:
    struct Range {
        uint64_t base, end;  // managed frames, [base, end)
        uint8_t* state;      // one byte per frame, via virt_offset
    };
    struct FreeNode {
        uint64_t next, prev;  // physical addresses; kNil ends the list
    };

    // Page 0 is never managed, so 0 can end lists and zeroed heads are empty.
    static constexpr uint64_t kNil = 0;
    static constexpr uint8_t kFreeHead = 0x80;  // | order: first frame of a free block
    static constexpr uint8_t kUsedHead = 0x40;  // | order: first frame of an allocated block
    static constexpr uint8_t kOrderMask = 0x0f;

    static constexpr uint64_t block_bytes(unsigned order) { return kPageSize << order; }

    void add_range(PhysRange range, Diag& diag);
    const Range* find_range(uint64_t phys) const;
    uint8_t& state(const Range& r, uint64_t phys) const { return r.state[(phys - r.base) / kPageSize]; }
    FreeNode* node(uint64_t phys) const { return reinterpret_cast<FreeNode*>(phys + virt_offset_); }
    void push(uint64_t phys, unsigned order);
    void unlink(uint64_t phys, unsigned order);
    bool check_lists(Diag& diag, uint64_t& listed_bytes, uint64_t& listed_blocks) const;
    bool check_tiling(Diag& diag, uint64_t& free_bytes, uint64_t& free_blocks) const;

    Range ranges_[kMaxPartitionRanges] = {};
    unsigned range_count_ = 0;
    uint64_t heads_[kMaxOrder + 1] = {};
    uint64_t free_bytes_ = 0;
    uint64_t total_bytes_ = 0;
    uint64_t virt_offset_ = 0;
    Diag* diag_ = nullptr;
};

} // namespace atoll_os::mem
