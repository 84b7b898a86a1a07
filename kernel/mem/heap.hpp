// KernelHeap: one core's kernel heap, slabs for small objects and frames for large ones.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "kernel/mem/frame_allocator.hpp"

namespace atoll_os::mem {

// Owned by exactly one core, so there is no locking. Objects of 16..2048
// bytes come from one-frame slabs per power-of-two size class; each slab's
// first bytes say its class, and an emptied slab goes back to the frame
// allocator at once. Larger requests take a buddy block whose first page
// holds a header recording the order.
class KernelHeap {
public:
    // Call once, before any alloc; `frames` must outlive the heap.
    void init(FrameAllocator& frames, uint64_t virt_offset);

    // `align` must be a power of two (smaller than 16 means 16); anything
    // else, exhaustion, or a request over 4 MiB including the header gives
    // nullptr. alloc(0) returns a distinct 16-byte object.
    [[nodiscard]] void* alloc(size_t bytes, size_t align = 16);

    // nullptr is ignored. A pointer this heap did not hand out, or one
    // already freed, is ignored and counted; check() then reports it.
    void free(void* ptr);

    // Bytes held for callers: the class size of each small object and the
    // whole block of each large one. Zero when everything has been freed.
    size_t bytes_in_use() const { return bytes_in_use_; }

    // Full walk of every slab and large block; fails if any free was rejected.
    bool check(Diag& diag) const;

private:
    struct Slab;
    struct Large;

    static constexpr unsigned kClassCount = 8;  // 16 << 0 .. 16 << 7 = 2048

    void* slab_alloc(unsigned cls);
    Slab* new_slab(unsigned cls);
    void* large_alloc(size_t bytes, size_t align);
    bool slab_free(Slab* slab, uintptr_t addr);
    bool large_free(Large* large, uintptr_t addr);
    bool check_slabs(Diag& diag, unsigned cls, bool full, size_t& bytes) const;
    bool check_large(Diag& diag, size_t& bytes) const;
    bool mine(uintptr_t virt) const { return frames_->owns(virt - virt_offset_); }

    FrameAllocator* frames_ = nullptr;
    uint64_t virt_offset_ = 0;
    Slab* partial_[kClassCount] = {};
    Slab* full_[kClassCount] = {};
    Large* large_ = nullptr;
    size_t bytes_in_use_ = 0;
    size_t rejected_frees_ = 0;
    uintptr_t first_rejected_ = 0;
};

} // namespace atoll_os::mem
