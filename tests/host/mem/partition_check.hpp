// Reference model and invariant checks for split_memory, shared by its tests.
#pragma once

#include <algorithm>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "percpu/partition.hpp"

namespace atoll_os::test {

inline constexpr uint32_t kUncovered = 0x10000;

struct RefPiece {
    uint64_t base, end;
    uint32_t node;
};

inline uint64_t sat_page_up(uint64_t v)
{
    const uint64_t top = align_down(~uint64_t{0});
    return v > top ? top : align_up(v);
}

// Free memory computed the obvious way (sort, merge, cut at every boundary),
// independently of split_memory's table walk.
inline std::vector<RefPiece> reference_free(const PartitionRequest& r)
{
    std::vector<PhysRange> raw;
    for (uint32_t i = 0; i < r.usable_count; ++i)
        if (r.usable[i].end > r.usable[i].base)
            raw.push_back(r.usable[i]);
    std::sort(raw.begin(), raw.end(), [](const PhysRange& a, const PhysRange& b) { return a.base < b.base; });
    std::vector<PhysRange> runs;
    for (const PhysRange& u : raw) {
        if (!runs.empty() && u.base <= runs.back().end)
            runs.back().end = std::max(runs.back().end, u.end);
        else
            runs.push_back(u);
    }
    std::vector<uint64_t> points;
    std::vector<PhysRange> aligned_runs, reserved;
    for (const PhysRange& u : runs) {
        PhysRange a{sat_page_up(u.base), align_down(u.end)};
        if (a.base < a.end) {
            aligned_runs.push_back(a);
            points.insert(points.end(), {a.base, a.end});
        }
    }
    for (uint32_t i = 0; i < r.reserved_count; ++i) {
        if (r.reserved[i].end <= r.reserved[i].base)
            continue;
        PhysRange a{align_down(r.reserved[i].base), sat_page_up(r.reserved[i].end)};
        reserved.push_back(a);
        points.insert(points.end(), {a.base, a.end});
    }
    for (uint32_t i = 0; i < r.node_range_count; ++i)
        if (r.node_ranges[i].end > r.node_ranges[i].base)
            points.insert(points.end(), {align_down(r.node_ranges[i].base), align_down(r.node_ranges[i].end)});
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());

    auto inside = [](const std::vector<PhysRange>& v, uint64_t p) {
        return std::any_of(v.begin(), v.end(), [p](const PhysRange& x) { return x.base <= p && p < x.end; });
    };
    std::vector<RefPiece> pieces;
    for (size_t i = 0; i + 1 < points.size(); ++i) {
        uint64_t p = points[i], q = points[i + 1];
        if (!inside(aligned_runs, p) || inside(reserved, p))
            continue;
        uint32_t node = r.node_range_count == 0 ? 0 : kUncovered;
        for (uint32_t j = 0; j < r.node_range_count && node == kUncovered; ++j) {
            const NodeRange& n = r.node_ranges[j];
            if (n.end > n.base && align_down(n.base) <= p && p < align_down(n.end))
                node = n.node;
        }
        if (!pieces.empty() && pieces.back().end == p && pieces.back().node == node)
            pieces.back().end = q;
        else
            pieces.push_back({p, q, node});
    }
    return pieces;
}

inline uint64_t covered_bytes(const std::vector<RefPiece>& pieces)
{
    uint64_t total = 0;
    for (const RefPiece& p : pieces)
        total += p.node == kUncovered ? 0 : p.end - p.base;
    return total;
}

inline bool node_has_cores(const PartitionRequest& r, uint32_t node)
{
    for (uint32_t c = 0; c < r.core_count; ++c)
        if (r.core_node[c] == node)
            return true;
    return false;
}

// Everything split_memory promises about a successful split.
inline void verify_split(const PartitionRequest& r, const Partition* out)
{
    std::vector<RefPiece> ref = reference_free(r);
    struct Owned {
        PhysRange range;
        uint32_t core;
    };
    std::vector<Owned> all;
    uint64_t total = 0;
    for (uint32_t c = 0; c < r.core_count; ++c) {
        const Partition& p = out[c];
        ASSERT_LE(p.count, kMaxPartitionRanges);
        ASSERT_GT(p.count, 0u) << "core " << c;
        ASSERT_GE(p.bytes, std::max<uint64_t>(r.min_bytes_per_core, kPageSize)) << "core " << c;
        uint64_t bytes = 0;
        for (uint32_t i = 0; i < p.count; ++i) {
            const PhysRange& x = p.ranges[i];
            ASSERT_LT(x.base, x.end);
            ASSERT_EQ(x.base % kPageSize, 0u);
            ASSERT_EQ(x.end % kPageSize, 0u);
            if (i > 0)
                ASSERT_LT(p.ranges[i - 1].end, x.base) << "core " << c << " ranges unsorted or unmerged";
            bytes += x.size();
            all.push_back({x, c});
            // Fully inside free memory, and local unless the core's node has none.
            uint64_t inside = 0;
            for (const RefPiece& f : ref) {
                uint64_t lo = std::max(f.base, x.base), hi = std::min(f.end, x.end);
                if (lo >= hi)
                    continue;
                ASSERT_NE(f.node, kUncovered) << "core " << c << " got memory outside every node range";
                inside += hi - lo;
                if (p.node == r.core_node[c] && f.node != p.node)
                    ASSERT_FALSE(node_has_cores(r, f.node))
                        << "core " << c << " (node " << p.node << ") got memory of node " << f.node;
            }
            ASSERT_EQ(inside, x.size()) << "core " << c << " range not entirely free memory";
            for (uint32_t k = 0; k < r.reserved_count; ++k) {
                const PhysRange& res = r.reserved[k];
                if (res.end > res.base)
                    ASSERT_FALSE(x.base < sat_page_up(res.end) && align_down(res.base) < x.end)
                        << "core " << c << " overlaps reserved entry " << k;
            }
        }
        ASSERT_EQ(bytes, p.bytes);
        total += bytes;
    }
    std::sort(all.begin(), all.end(), [](const Owned& a, const Owned& b) { return a.range.base < b.range.base; });
    for (size_t i = 1; i < all.size(); ++i)
        ASSERT_LE(all[i - 1].range.end, all[i].range.base)
            << "cores " << all[i - 1].core << " and " << all[i].core << " overlap";
    ASSERT_EQ(total, covered_bytes(ref)) << "usable memory not fully accounted";

    // Equal split per pool, in core order, each core a contiguous stretch.
    std::map<uint32_t, std::vector<uint32_t>> pools;
    for (uint32_t c = 0; c < r.core_count; ++c)
        pools[out[c].node].push_back(c);
    for (const auto& [node, cores] : pools) {
        uint64_t pool = 0;
        for (uint32_t c : cores)
            pool += out[c].bytes;
        uint64_t share = pool / kPageSize / cores.size() * kPageSize;
        for (size_t i = 0; i < cores.size(); ++i) {
            const Partition& p = out[cores[i]];
            if (i + 1 < cores.size())
                ASSERT_EQ(p.bytes, share) << "core " << cores[i];
            else
                ASSERT_EQ(p.bytes, pool - share * (cores.size() - 1));
            if (i > 0)
                ASSERT_LE(out[cores[i - 1]].ranges[out[cores[i - 1]].count - 1].end, p.ranges[0].base)
                    << "node " << node << " slices out of core order";
        }
    }
}

inline void expect_cleared(const Partition* out, uint32_t cores)
{
    for (uint32_t c = 0; c < cores; ++c) {
        EXPECT_EQ(out[c].count, 0u);
        EXPECT_EQ(out[c].bytes, 0u);
    }
}

} // namespace atoll_os::test
