// FrameAllocator: one core's binary buddy allocator over its memory partition.
#include "kernel/mem/frame_allocator.hpp"

namespace atoll_os::mem {
namespace {

using u64 = unsigned long long;  // matches %llx on every target

constexpr uint64_t kTopPage = align_down(~uint64_t{0});

} // namespace

bool FrameAllocator::init(const Partition& partition, uint64_t virt_offset, Diag& diag)
{
    *this = FrameAllocator{};
    virt_offset_ = virt_offset;
    diag_ = &diag;
    if (partition.count > kMaxPartitionRanges) {
        diag.report("frame allocator: partition has %u ranges (expected <= %u)", partition.count,
                    kMaxPartitionRanges);
        return false;
    }
    for (uint32_t i = 0; i < partition.count; ++i) {
        const PhysRange& a = partition.ranges[i];
        if (a.end <= a.base) {
            diag.report("frame allocator: partition range %u [0x%llx, 0x%llx) is empty or inverted", i,
                        static_cast<u64>(a.base), static_cast<u64>(a.end));
            return false;
        }
        for (uint32_t j = 0; j < i; ++j) {
            const PhysRange& b = partition.ranges[j];
            if (a.base < b.end && b.base < a.end) {
                diag.report("frame allocator: partition ranges %u and %u overlap", j, i);
                return false;
            }
        }
    }
    for (uint32_t i = 0; i < partition.count; ++i)
        add_range(partition.ranges[i], diag);
    if (total_bytes_ == 0) {
        diag.report("frame allocator: partition leaves no frames once the state table is carved out");
        *this = FrameAllocator{};
        diag_ = &diag;
        return false;
    }
    return true;
}

void FrameAllocator::add_range(PhysRange range, Diag& diag)
{
    if (range.base % kPageSize != 0 || range.end % kPageSize != 0)
        diag.report("frame allocator: range [0x%llx, 0x%llx) is not page aligned; using the whole pages inside",
                    static_cast<u64>(range.base), static_cast<u64>(range.end));
    if (range.base > kTopPage)
        return;
    // Address 0 is the failure value, so page 0 is never managed.
    uint64_t base = range.base == 0 ? kPageSize : align_up(range.base);
    uint64_t end = align_down(range.end);
    if (base >= end)
        return;
    uint64_t frames = (end - base) / kPageSize;
    // m pages of one-byte states cover up to 4096 * m frames: m = ceil(frames / 4097).
    uint64_t state_pages = (frames + kPageSize) / (kPageSize + 1);
    uint64_t managed = frames - state_pages;
    if (managed == 0)
        return;
    Range& r = ranges_[range_count_++];
    r.base = base;
    r.end = base + managed * kPageSize;
    r.state = reinterpret_cast<uint8_t*>(r.end + virt_offset_);
    __builtin_memset(r.state, 0, managed);
    for (uint64_t p = r.base; p < r.end;) {
        unsigned order = kMaxOrder;
        while (order > 0 && (p % block_bytes(order) != 0 || block_bytes(order) > r.end - p))
            --order;
        state(r, p) = static_cast<uint8_t>(kFreeHead | order);
        push(p, order);
        p += block_bytes(order);
    }
    total_bytes_ += managed * kPageSize;
    free_bytes_ += managed * kPageSize;
}

const FrameAllocator::Range* FrameAllocator::find_range(uint64_t phys) const
{
    for (unsigned i = 0; i < range_count_; ++i)
        if (phys >= ranges_[i].base && phys < ranges_[i].end)
            return &ranges_[i];
    return nullptr;
}

void FrameAllocator::push(uint64_t phys, unsigned order)
{
    FreeNode* n = node(phys);
    n->next = heads_[order];
    n->prev = kNil;
    if (heads_[order] != kNil)
        node(heads_[order])->prev = phys;
    heads_[order] = phys;
}

void FrameAllocator::unlink(uint64_t phys, unsigned order)
{
    FreeNode* n = node(phys);
    if (n->prev != kNil)
        node(n->prev)->next = n->next;
    else
        heads_[order] = n->next;
    if (n->next != kNil)
        node(n->next)->prev = n->prev;
}

uint64_t FrameAllocator::alloc(unsigned order)
{
    if (order > kMaxOrder)
        return 0;
    unsigned k = order;
    while (k <= kMaxOrder && heads_[k] == kNil)
        ++k;
    if (k > kMaxOrder)
        return 0;
    uint64_t phys = heads_[k];
    unlink(phys, k);
    const Range& r = *find_range(phys);
    while (k > order) {
        --k;
        uint64_t upper = phys + block_bytes(k);
        state(r, upper) = static_cast<uint8_t>(kFreeHead | k);
        push(upper, k);
    }
    state(r, phys) = static_cast<uint8_t>(kUsedHead | order);
    free_bytes_ -= block_bytes(order);
    return phys;
}

bool FrameAllocator::free(uint64_t phys, unsigned order)
{
    const Range* r = order <= kMaxOrder ? find_range(phys) : nullptr;
    const char* why = nullptr;
    if (order > kMaxOrder)
        why = "order above the maximum";
    else if (r == nullptr)
        why = "address not owned by this allocator";
    else if (phys % block_bytes(order) != 0)
        why = "address not aligned to the block size";
    else if ((state(*r, phys) & kUsedHead) == 0)
        why = "double free, or not the start of an allocated block";
    else if (state(*r, phys) != (kUsedHead | order))
        why = "block was allocated with a different order";
    if (why != nullptr) {
        if (diag_ != nullptr)
            diag_->report("frame allocator: free(0x%llx, order %u) rejected: %s", static_cast<u64>(phys), order, why);
        return false;
    }
    free_bytes_ += block_bytes(order);
    state(*r, phys) = 0;
    for (; order < kMaxOrder; ++order) {
        uint64_t buddy = phys ^ block_bytes(order);
        if (buddy < r->base || buddy >= r->end || r->end - buddy < block_bytes(order))
            break;
        if (state(*r, buddy) != (kFreeHead | order))
            break;
        unlink(buddy, order);
        state(*r, buddy) = 0;
        phys = phys < buddy ? phys : buddy;
    }
    state(*r, phys) = static_cast<uint8_t>(kFreeHead | order);
    push(phys, order);
    return true;
}

bool FrameAllocator::check(Diag& diag) const
{
    uint64_t listed_bytes = 0, listed_blocks = 0, tiled_bytes = 0, tiled_blocks = 0;
    if (!check_lists(diag, listed_bytes, listed_blocks) || !check_tiling(diag, tiled_bytes, tiled_blocks))
        return false;
    if (listed_bytes != free_bytes_ || tiled_bytes != free_bytes_ || listed_blocks != tiled_blocks) {
        diag.report("frame allocator: free bytes disagree: counter %llu, free lists %llu in %llu blocks, "
                    "state table %llu in %llu blocks",
                    static_cast<u64>(free_bytes_), static_cast<u64>(listed_bytes), static_cast<u64>(listed_blocks),
                    static_cast<u64>(tiled_bytes), static_cast<u64>(tiled_blocks));
        return false;
    }
    return true;
}

bool FrameAllocator::check_lists(Diag& diag, uint64_t& listed_bytes, uint64_t& listed_blocks) const
{
    uint64_t max_blocks = total_bytes_ / kPageSize;
    for (unsigned k = 0; k <= kMaxOrder; ++k) {
        uint64_t prev = kNil;
        for (uint64_t p = heads_[k]; p != kNil; p = node(p)->next) {
            const Range* r = find_range(p);
            const char* why = nullptr;
            if (++listed_blocks > max_blocks)
                why = "more blocks than frames (cycle?)";
            else if (r == nullptr)
                why = "address not owned";
            else if (p % block_bytes(k) != 0 || r->end - p < block_bytes(k))
                why = "misaligned or overruns its range";
            else if (state(*r, p) != (kFreeHead | k))
                why = "state table disagrees";
            else if (node(p)->prev != prev)
                why = "back link broken";
            if (why != nullptr) {
                diag.report("frame allocator: free list %u entry 0x%llx: %s", k, static_cast<u64>(p), why);
                return false;
            }
            listed_bytes += block_bytes(k);
            prev = p;
        }
    }
    return true;
}

bool FrameAllocator::check_tiling(Diag& diag, uint64_t& free_bytes, uint64_t& free_blocks) const
{
    for (unsigned i = 0; i < range_count_; ++i) {
        const Range& r = ranges_[i];
        for (uint64_t p = r.base; p < r.end;) {
            uint8_t s = state(r, p);
            unsigned order = s & kOrderMask;
            bool head = ((s & kFreeHead) != 0) != ((s & kUsedHead) != 0);
            if (!head || order > kMaxOrder || p % block_bytes(order) != 0 || r.end - p < block_bytes(order)) {
                diag.report("frame allocator: frame 0x%llx has state 0x%02x, not the head of a valid block",
                            static_cast<u64>(p), s);
                return false;
            }
            for (uint64_t f = p + kPageSize; f < p + block_bytes(order); f += kPageSize) {
                if (state(r, f) != 0) {
                    diag.report("frame allocator: frame 0x%llx inside the block at 0x%llx has state 0x%02x",
                                static_cast<u64>(f), static_cast<u64>(p), state(r, f));
                    return false;
                }
            }
            if ((s & kFreeHead) != 0) {
                free_bytes += block_bytes(order);
                ++free_blocks;
            }
            p += block_bytes(order);
        }
    }
    return true;
}

} // namespace atoll_os::mem
