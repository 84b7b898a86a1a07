// PhysRange: a half-open span of physical addresses and page arithmetic.
#pragma once

#include <stdint.h>

namespace atoll_os {

inline constexpr uint64_t kPageSize = 4096;

// `align` must be a power of two. align_up wraps past 2^64 like the
// arithmetic it replaces; code handling addresses near the top checks first.
constexpr uint64_t align_down(uint64_t value, uint64_t align = kPageSize)
{
    return value & ~(align - 1);
}

constexpr uint64_t align_up(uint64_t value, uint64_t align = kPageSize)
{
    return (value + align - 1) & ~(align - 1);
}

// An aggregate so boot code can build tables with brace initialisers.
struct PhysRange {
    uint64_t base;
    uint64_t end;  // exclusive

    // A malformed range (end below base) is empty rather than huge.
    constexpr uint64_t size() const { return end > base ? end - base : 0; }
};

} // namespace atoll_os
