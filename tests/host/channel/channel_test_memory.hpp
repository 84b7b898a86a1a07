// Channel tests: 64-byte-aligned heap memory standing in for a core's ring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "percpu/channel.hpp"

namespace atoll_os::test {

// Poisoned on allocation so tests prove create() zeroes what it must.
class RingMemory {
public:
    explicit RingMemory(uint32_t slots)
        : bytes_(ChannelRing::bytes_for(slots)),
          memory_(::operator new(bytes_, std::align_val_t{64}))
    {
        std::memset(memory_, 0xA5, bytes_);
    }
    ~RingMemory() { ::operator delete(memory_, std::align_val_t{64}); }
    RingMemory(const RingMemory&) = delete;
    RingMemory& operator=(const RingMemory&) = delete;

    void* get() const { return memory_; }
    size_t bytes() const { return bytes_; }

private:
    size_t bytes_;
    void* memory_;
};

} // namespace atoll_os::test
