// 4-level x86-64 page tables, built and walked through a physical-to-virtual
// offset so the same code runs in the kernel (physmap) and in host tests.
#pragma once

#include <stdint.h>

namespace atoll_os {

namespace pte {
inline constexpr uint64_t kPresent = 1ull << 0;
inline constexpr uint64_t kWrite = 1ull << 1;
inline constexpr uint64_t kUser = 1ull << 2;
inline constexpr uint64_t kWriteThrough = 1ull << 3;
inline constexpr uint64_t kCacheDisable = 1ull << 4;
inline constexpr uint64_t kLarge = 1ull << 7;
inline constexpr uint64_t kGlobal = 1ull << 8;
// Software bit: the frame belongs to the mapping (freed when it goes), as
// opposed to memory mapped from elsewhere.
inline constexpr uint64_t kOwned = 1ull << 9;
inline constexpr uint64_t kNoExecute = 1ull << 63;
inline constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
} // namespace pte

// What a mapping allows; translated to PTE bits in one place.
struct MapFlags {
    bool write = false;
    bool execute = false;
    bool user = false;
    bool uncached = false;
    bool owned = false;    // sets pte::kOwned
};

// Where page-table frames come from: returns a physical 4 KiB frame, 0 when
// out of memory. The builder zeroes it.
struct FrameSource {
    uint64_t (*alloc)(void* ctx);
    void* ctx;
};

class PageTables {
public:
    PageTables(uint64_t root_phys, uint64_t virt_offset, bool allow_1g_pages)
        : root_(root_phys), offset_(virt_offset), allow_1g_(allow_1g_pages) {}

    // A fresh, empty top-level table; 0 if the source is empty.
    static uint64_t create_root(FrameSource& frames, uint64_t virt_offset);

    // Maps [va, va+size) to [pa, pa+size) with the largest pages alignment
    // allows. Fails (false) on misalignment, overlap with an existing mapping,
    // or when the frame source runs dry.
    [[nodiscard]] bool map(uint64_t va, uint64_t pa, uint64_t size, MapFlags flags, FrameSource& frames);

    // Physical address backing `va`, with `flags_out` set to the leaf's bits.
    [[nodiscard]] bool translate(uint64_t va, uint64_t& pa_out, uint64_t* leaf_out = nullptr) const;

    uint64_t root() const { return root_; }

    // Removes one 4 KiB mapping; returns the frame it mapped, 0 if none.
    uint64_t unmap_4k(uint64_t va);

    // Calls `visit` for every present 4 KiB leaf in [from, to), in address
    // order, skipping absent tables whole (user mappings are all 4 KiB).
    void for_each_leaf(uint64_t from, uint64_t to, void (*visit)(uint64_t va, uint64_t leaf, void* ctx),
                       void* ctx) const;
    // What a leaf allows, as map() takes it.
    static MapFlags flags_of(uint64_t leaf);

    // Tears down the lower half (user space): calls `release` for every
    // owned leaf frame and every page-table page below the root, then clears
    // the root's lower entries. Large user pages are never created, so
    // leaves are 4 KiB.
    void release_lower_half(void (*release)(uint64_t phys, bool is_table, void* ctx), void* ctx);

private:
    uint64_t* table(uint64_t phys) const { return reinterpret_cast<uint64_t*>(phys + offset_); }
    uint64_t* next_level(uint64_t* entry, bool user, FrameSource& frames);

    uint64_t root_;
    uint64_t offset_;
    bool allow_1g_;
};

} // namespace atoll_os
