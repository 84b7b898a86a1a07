// Bump allocation over a partition, for building a core's first page tables.
#include "percpu/bootstrap_frames.hpp"

namespace atoll_os {

BootstrapFrames::BootstrapFrames(const Partition& part, uint64_t skip_front, uint64_t keep_back) : part_(part)
{
    if (part_.count > 0) {
        part_.ranges[0].base += skip_front;
        part_.ranges[0].end -= keep_back;
        if (part_.ranges[0].end < part_.ranges[0].base) part_.ranges[0].end = part_.ranges[0].base;
    }
    cursor_ = part_.count ? part_.ranges[0].base : 0;
}

uint64_t BootstrapFrames::alloc_contiguous(uint64_t bytes)
{
    if (bytes == 0 || bytes > ~0ull - kPageSize) return 0; // align_up would wrap
    bytes = align_up(bytes);
    // Find a fit first: a request nothing can satisfy must not use up the
    // ranges for the requests after it.
    for (uint32_t r = range_; r < part_.count; ++r) {
        uint64_t from = (r == range_) ? cursor_ : part_.ranges[r].base;
        if (part_.ranges[r].end - from < bytes) continue;
        // Ranges skipped on the way keep their unused tails until the real
        // allocator takes over (remaining() drops them: they are small).
        range_ = r;
        cursor_ = from + bytes;
        return from;
    }
    return 0;
}

uint64_t BootstrapFrames::alloc_frame() { return alloc_contiguous(kPageSize); }

Partition BootstrapFrames::remaining(const Partition& full) const
{
    // Ranges we moved past are dropped whole (their unused tails are small);
    // the current range is free from the cursor on, later ranges entirely.
    // Working from `full` hands the kept tail (the bring-up stack) back.
    Partition out{};
    out.node = full.node;
    for (uint32_t i = range_; i < full.count; ++i) {
        PhysRange r = full.ranges[i];
        if (i == range_ && cursor_ > r.base) r.base = cursor_;
        if (r.end > r.base) {
            out.ranges[out.count++] = r;
            out.bytes += r.size();
        }
    }
    return out;
}

} // namespace atoll_os
