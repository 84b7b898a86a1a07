// BootstrapFrames: hands out frames from the front of a partition before the
// core's real frame allocator exists (page tables, the private data copy),
// then tells what is left for that allocator.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/page_table.hpp"
#include "percpu/partition.hpp"

namespace atoll_os {

class BootstrapFrames {
public:
    // Hands out [skip_front, end - keep_back) of the partition, in order.
    BootstrapFrames(const Partition& part, uint64_t skip_front, uint64_t keep_back);

    uint64_t alloc_frame();                      // 0 when exhausted
    uint64_t alloc_contiguous(uint64_t bytes);   // page aligned; 0 when no range fits
    FrameSource source() { return FrameSource{&BootstrapFrames::thunk, this}; }

    // The partition minus everything handed out (the kept tail included).
    Partition remaining(const Partition& full) const;

private:
    static uint64_t thunk(void* self) { return static_cast<BootstrapFrames*>(self)->alloc_frame(); }
    Partition part_;
    uint32_t range_ = 0;
    uint64_t cursor_;
};

} // namespace atoll_os
