// Arena: host memory standing in for physical memory (phys == virt, offset 0).
#pragma once

#include <cstdint>
#include <cstdlib>

#include "percpu/partition.hpp"

namespace atoll_os::test {

class Arena {
public:
    explicit Arena(size_t bytes, size_t align = 4 << 20)
        : mem_(static_cast<uint8_t*>(std::aligned_alloc(align, align_up(bytes, align)))), size_(bytes)
    {
    }
    ~Arena() { std::free(mem_); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    uint64_t base() const { return reinterpret_cast<uint64_t>(mem_); }
    uint64_t end() const { return base() + size_; }

    // One range covering [base + from, base + to).
    Partition partition(uint64_t from = 0, uint64_t to = ~uint64_t{0}) const
    {
        Partition p{};
        p.ranges[0] = {base() + from, to == ~uint64_t{0} ? end() : base() + to};
        p.count = 1;
        p.bytes = p.ranges[0].size();
        return p;
    }

private:
    uint8_t* mem_;
    size_t size_;
};

} // namespace atoll_os::test
