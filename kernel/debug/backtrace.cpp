// Frame-pointer stack walking bounded by this core's known stacks.
#include "kernel/debug/backtrace.hpp"

namespace atoll_os {
namespace {

struct Range { uint64_t lo, hi; };
Range g_ranges[4];
unsigned g_range_count;

bool readable(uint64_t addr)
{
    for (unsigned i = 0; i < g_range_count; ++i)
        if (addr >= g_ranges[i].lo && addr + 16 <= g_ranges[i].hi) return true;
    return false;
}

} // namespace

void allow_stack_range(uint64_t lo, uint64_t hi)
{
    if (g_range_count < 4) g_ranges[g_range_count++] = {lo, hi};
}

unsigned walk_frames(uint64_t rbp, FrameVisitor visit, unsigned max_depth)
{
    unsigned depth = 0;
    while (depth < max_depth && rbp && (rbp & 7) == 0 && readable(rbp)) {
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t ip = frame[1];
        if (ip == 0) break;
        visit(depth++, ip);
        if (frame[0] <= rbp) break; // stacks grow down: callers are higher
        rbp = frame[0];
    }
    return depth;
}

} // namespace atoll_os
