// split_memory: divides the boot memory map into one private partition per core.
#include "percpu/partition.hpp"

namespace atoll_os {
namespace {

using u64 = unsigned long long;  // matches %llu/%llx on every target

constexpr uint64_t kTopPage = align_down(~uint64_t{0});
constexpr uint32_t kNoNode = 0x10000;  // outside uint16_t: memory no SRAT range covers

// align_up that cannot wrap: nothing usable lies above kTopPage anyway,
// because usable ends are rounded down.
constexpr uint64_t page_up(uint64_t v) { return v > kTopPage ? kTopPage : align_up(v); }

constexpr uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

struct Piece {
    uint64_t base, end;
    uint32_t node;
};

// Walks free memory (usable minus reserved, cut at node boundaries) in
// address order straight from the caller's tables. Recomputing instead of
// building a sorted copy keeps split_memory free of scratch buffers and of
// any limit on the map's length; boot maps are small enough for that.
class FreeMemory {
public:
    explicit FreeMemory(const PartitionRequest& r) : r_(r) {}

    // The lowest maximal piece at or above `from`, which must be page aligned.
    bool next(uint64_t from, Piece& out) const
    {
        for (;;) {
            uint64_t start = 0, end = 0;
            if (!usable_run(from, start, end))
                return false;
            uint64_t a = page_up(start), z = align_down(end);
            if (a >= z) {
                if (end > kTopPage)
                    return false;
                from = align_up(end);
                continue;
            }
            if (skip_reserved(a, from))
                continue;
            z = min64(z, next_reserved(a));
            out = cut_at_nodes(a, z);
            return true;
        }
    }

private:
    static bool valid(const PhysRange& r) { return r.end > r.base; }

    // The run of overlapping/touching usable entries that contains `from`, or
    // the first one above it. When `from` is not inside a run, it was the end
    // of an earlier run, so the run found here truly starts at `start`.
    bool usable_run(uint64_t from, uint64_t& start, uint64_t& end) const
    {
        bool found = false;
        for (uint32_t i = 0; i < r_.usable_count; ++i) {
            const PhysRange& u = r_.usable[i];
            if (!valid(u) || u.end <= from)
                continue;
            uint64_t s = max64(u.base, from);
            start = found ? min64(start, s) : s;
            found = true;
        }
        if (!found)
            return false;
        end = start;
        for (bool grew = true; grew;) {
            grew = false;
            for (uint32_t i = 0; i < r_.usable_count; ++i) {
                const PhysRange& u = r_.usable[i];
                if (valid(u) && u.base <= end && u.end > end) {
                    end = u.end;
                    grew = true;
                }
            }
        }
        return true;
    }

    // If `a` lies in a reserved range, moves `from` past it.
    bool skip_reserved(uint64_t a, uint64_t& from) const
    {
        for (uint32_t i = 0; i < r_.reserved_count; ++i) {
            const PhysRange& r = r_.reserved[i];
            if (valid(r) && align_down(r.base) <= a && a < page_up(r.end)) {
                from = page_up(r.end);
                return true;
            }
        }
        return false;
    }

    uint64_t next_reserved(uint64_t a) const
    {
        uint64_t limit = ~uint64_t{0};
        for (uint32_t i = 0; i < r_.reserved_count; ++i) {
            const PhysRange& r = r_.reserved[i];
            if (valid(r) && align_down(r.base) > a)
                limit = min64(limit, align_down(r.base));
        }
        return limit;
    }

    Piece cut_at_nodes(uint64_t a, uint64_t z) const
    {
        if (r_.node_range_count == 0)
            return {a, z, 0};
        uint32_t owner = r_.node_range_count;
        for (uint32_t i = 0; i < r_.node_range_count && owner == r_.node_range_count; ++i)
            if (node_base(i) <= a && a < node_end(i))
                owner = i;
        // Stop where an earlier (winning) or any later-starting range begins.
        for (uint32_t i = 0; i < r_.node_range_count; ++i)
            if (node_base(i) < node_end(i) && node_base(i) > a && (i < owner || owner == r_.node_range_count))
                z = min64(z, node_base(i));
        if (owner == r_.node_range_count)
            return {a, z, kNoNode};
        return {a, min64(z, node_end(owner)), r_.node_ranges[owner].node};
    }

    uint64_t node_base(uint32_t i) const { return align_down(r_.node_ranges[i].base); }
    uint64_t node_end(uint32_t i) const
    {
        const NodeRange& n = r_.node_ranges[i];
        return n.end > n.base ? align_down(n.end) : 0;
    }

    const PartitionRequest& r_;
};

class Splitter {
public:
    Splitter(const PartitionRequest& r, Partition* out, Diag& diag) : r_(r), out_(out), diag_(diag), mem_(r) {}

    bool run()
    {
        if (!check_request())
            return false;
        uint64_t total = 0, dropped = 0;
        uint32_t first_node = kNoNode;
        Piece p{};
        for (uint64_t at = 0; mem_.next(at, p); at = p.end) {
            if (p.node == kNoNode) {
                dropped += p.end - p.base;
                continue;
            }
            if (first_node == kNoNode)
                first_node = p.node;
            total += p.end - p.base;
        }
        if (dropped != 0)
            diag_.report("SRAT: %llu bytes of usable memory lie outside every memory affinity range; not used",
                         static_cast<u64>(dropped));
        if (total == 0) {
            diag_.report("memory map: no usable memory left after removing reserved ranges");
            return false;
        }
        core_fallback_ = lowest_core_node();
        memory_fallback_ = pool_of_memory(node_bytes(0) != 0 ? 0 : first_node);
        assign_pools();
        for (uint32_t c = 0; c < r_.core_count; ++c)
            if (first_core_of_pool(c) && !fill_pool(out_[c].node))
                return false;
        return true;
    }

    void clear()
    {
        for (uint32_t c = 0; c < r_.core_count; ++c)
            out_[c] = Partition{};
    }

private:
    bool check_request()
    {
        if (out_ == nullptr || r_.core_count == 0 || r_.core_node == nullptr) {
            diag_.report("partition request: needs at least one core, a core_node table and an output array");
            return false;
        }
        clear();
        if ((r_.usable_count != 0 && r_.usable == nullptr) || (r_.reserved_count != 0 && r_.reserved == nullptr) ||
            (r_.node_range_count != 0 && r_.node_ranges == nullptr)) {
            diag_.report("partition request: a table has a nonzero count but no entries");
            return false;
        }
        for (uint32_t i = 0; i < r_.usable_count; ++i)
            if (r_.usable[i].end < r_.usable[i].base)
                diag_.report("memory map: usable entry %u ends at 0x%llx, below its base 0x%llx; ignored", i,
                             static_cast<u64>(r_.usable[i].end), static_cast<u64>(r_.usable[i].base));
        bool ok = true;
        for (uint32_t i = 0; i < r_.reserved_count; ++i) {
            if (r_.reserved[i].end < r_.reserved[i].base) {
                diag_.report("reserved ranges: entry %u ends at 0x%llx, below its base 0x%llx", i,
                             static_cast<u64>(r_.reserved[i].end), static_cast<u64>(r_.reserved[i].base));
                ok = false;
            }
        }
        check_node_ranges();
        return ok;
    }

    void check_node_ranges()
    {
        for (uint32_t i = 0; i < r_.node_range_count; ++i) {
            const NodeRange& a = r_.node_ranges[i];
            if (a.end < a.base) {
                diag_.report("SRAT: memory range %u ends at 0x%llx, below its base 0x%llx; ignored", i,
                             static_cast<u64>(a.end), static_cast<u64>(a.base));
                continue;
            }
            for (uint32_t j = i + 1; j < r_.node_range_count; ++j) {
                const NodeRange& b = r_.node_ranges[j];
                if (b.end > b.base && a.base < b.end && b.base < a.end && a.node != b.node)
                    diag_.report("SRAT: memory range %u (node %u) overlaps range %u (node %u); range %u wins", i,
                                 a.node, j, b.node, i);
            }
        }
    }

    bool has_cores(uint32_t node) const
    {
        for (uint32_t c = 0; c < r_.core_count; ++c)
            if (r_.core_node[c] == node)
                return true;
        return false;
    }

    uint32_t lowest_core_node() const
    {
        uint32_t lowest = r_.core_node[0];
        for (uint32_t c = 1; c < r_.core_count; ++c)
            lowest = r_.core_node[c] < lowest ? r_.core_node[c] : lowest;
        return lowest;
    }

    // Which node's cores use memory of `node` (fallback for coreless nodes).
    uint32_t pool_of_memory(uint32_t node) const { return has_cores(node) ? node : core_fallback_; }

    uint64_t node_bytes(uint32_t node) const
    {
        uint64_t bytes = 0;
        Piece p{};
        for (uint64_t at = 0; mem_.next(at, p); at = p.end)
            if (p.node == node)
                bytes += p.end - p.base;
        return bytes;
    }

    uint64_t pool_bytes(uint32_t pool) const
    {
        uint64_t bytes = 0;
        Piece p{};
        for (uint64_t at = 0; mem_.next(at, p); at = p.end)
            if (p.node != kNoNode && pool_of_memory(p.node) == pool)
                bytes += p.end - p.base;
        return bytes;
    }

    // Records each core's pool in out[c].node; it is also the final value.
    void assign_pools()
    {
        for (uint32_t c = 0; c < r_.core_count; ++c) {
            uint32_t node = r_.core_node[c];
            uint32_t earlier = 0;
            while (earlier < c && r_.core_node[earlier] != node)
                ++earlier;
            if (earlier < c) {
                out_[c].node = out_[earlier].node;
                continue;
            }
            uint32_t pool = node;
            if (pool_bytes(node) == 0) {
                pool = memory_fallback_;
                diag_.report("SRAT: node %u has cores (first: core %u) but no memory; they use node %u's memory",
                             node, c, pool);
            }
            out_[c].node = static_cast<uint16_t>(pool);
        }
    }

    bool first_core_of_pool(uint32_t c) const
    {
        for (uint32_t e = 0; e < c; ++e)
            if (out_[e].node == out_[c].node)
                return false;
        return true;
    }

    uint32_t next_core_in_pool(uint32_t after, uint32_t pool) const
    {
        uint32_t c = after + 1;
        while (c < r_.core_count && out_[c].node != pool)
            ++c;
        return c;
    }

    bool fill_pool(uint32_t pool)
    {
        uint32_t cores = 0;
        for (uint32_t c = 0; c < r_.core_count; ++c)
            cores += out_[c].node == pool ? 1 : 0;
        uint64_t bytes = pool_bytes(pool);
        uint64_t share = bytes / kPageSize / cores * kPageSize;
        uint64_t need = max64(r_.min_bytes_per_core, kPageSize);
        if (share < need) {
            diag_.report("partition: node %u has %llu bytes for %u cores; each would get %llu bytes, below the "
                         "minimum of %llu",
                         pool, static_cast<u64>(bytes), cores, static_cast<u64>(share), static_cast<u64>(need));
            return false;
        }
        uint32_t core = next_core_in_pool(~uint32_t{0}, pool), served = 0;
        uint64_t quota = cores == 1 ? bytes : share;
        Piece p{};
        for (uint64_t at = 0; served < cores && mem_.next(at, p); at = p.end) {
            if (p.node == kNoNode || pool_of_memory(p.node) != pool)
                continue;
            for (uint64_t a = p.base; a < p.end && served < cores;) {
                uint64_t take = min64(p.end - a, quota);
                if (!append(core, a, a + take))
                    return false;
                a += take;
                quota -= take;
                if (quota == 0) {
                    ++served;
                    core = next_core_in_pool(core, pool);
                    quota = served + 1 == cores ? bytes - share * (cores - 1) : share;
                }
            }
        }
        return true;
    }

    bool append(uint32_t core, uint64_t base, uint64_t end)
    {
        Partition& part = out_[core];
        part.bytes += end - base;
        if (part.count != 0 && part.ranges[part.count - 1].end == base) {
            part.ranges[part.count - 1].end = end;
            return true;
        }
        if (part.count == kMaxPartitionRanges) {
            diag_.report("partition: core %u would need more than %u memory ranges; the memory map is too fragmented",
                         core, kMaxPartitionRanges);
            return false;
        }
        part.ranges[part.count++] = PhysRange{base, end};
        return true;
    }

    const PartitionRequest& r_;
    Partition* out_;
    Diag& diag_;
    FreeMemory mem_;
    uint32_t core_fallback_ = 0;
    uint32_t memory_fallback_ = 0;
};

} // namespace

bool split_memory(const PartitionRequest& request, Partition* out, Diag& diag)
{
    Splitter splitter(request, out, diag);
    if (splitter.run())
        return true;
    if (out != nullptr && request.core_node != nullptr)
        splitter.clear();
    return false;
}

} // namespace atoll_os
