// 4-level page-table construction and lookup.
#include "kernel/arch/x86_64/page_table.hpp"

namespace atoll_os {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t k2M = 2ull << 20;
constexpr uint64_t k1G = 1ull << 30;

unsigned index_at(uint64_t va, unsigned level) { return unsigned((va >> (12 + 9 * level)) & 511); }

uint64_t leaf_bits(MapFlags f)
{
    uint64_t bits = pte::kPresent;
    if (f.write) bits |= pte::kWrite;
    if (f.user) bits |= pte::kUser;
    if (!f.execute) bits |= pte::kNoExecute;
    if (f.uncached) bits |= pte::kCacheDisable | pte::kWriteThrough;
    if (f.owned) bits |= pte::kOwned;
    return bits;
}

uint64_t zeroed_frame(FrameSource& frames, uint64_t offset)
{
    uint64_t phys = frames.alloc(frames.ctx);
    if (phys) __builtin_memset(reinterpret_cast<void*>(phys + offset), 0, kPage);
    return phys;
}

} // namespace

uint64_t PageTables::create_root(FrameSource& frames, uint64_t virt_offset) { return zeroed_frame(frames, virt_offset); }

uint64_t* PageTables::next_level(uint64_t* entry, bool user, FrameSource& frames)
{
    if (*entry & pte::kPresent) {
        if (*entry & pte::kLarge) return nullptr; // a large page already covers this
        if (user) *entry |= pte::kUser;
        return table(*entry & pte::kAddressMask);
    }
    uint64_t phys = zeroed_frame(frames, offset_);
    if (!phys) return nullptr;
    // Permissions are decided at the leaf; upper levels allow everything.
    *entry = phys | pte::kPresent | pte::kWrite | (user ? pte::kUser : 0);
    return table(phys);
}

bool PageTables::map(uint64_t va, uint64_t pa, uint64_t size, MapFlags flags, FrameSource& frames)
{
    if ((va | pa | size) & (kPage - 1)) return false;
    const uint64_t bits = leaf_bits(flags);
    while (size) {
        uint64_t* pml4 = table(root_);
        uint64_t* pdpt = next_level(&pml4[index_at(va, 3)], flags.user, frames);
        if (!pdpt) return false;
        uint64_t* e3 = &pdpt[index_at(va, 2)];
        if (allow_1g_ && !((va | pa) & (k1G - 1)) && size >= k1G) {
            if (*e3 & pte::kPresent) return false;
            *e3 = pa | bits | pte::kLarge;
            va += k1G, pa += k1G, size -= k1G;
            continue;
        }
        uint64_t* pd = next_level(e3, flags.user, frames);
        if (!pd) return false;
        uint64_t* e2 = &pd[index_at(va, 1)];
        if (!((va | pa) & (k2M - 1)) && size >= k2M) {
            if (*e2 & pte::kPresent) return false;
            *e2 = pa | bits | pte::kLarge;
            va += k2M, pa += k2M, size -= k2M;
            continue;
        }
        uint64_t* pt = next_level(e2, flags.user, frames);
        if (!pt) return false;
        uint64_t* e1 = &pt[index_at(va, 0)];
        if (*e1 & pte::kPresent) return false;
        *e1 = pa | bits;
        va += kPage, pa += kPage, size -= kPage;
    }
    return true;
}

bool PageTables::translate(uint64_t va, uint64_t& pa_out, uint64_t* leaf_out) const
{
    uint64_t* t = table(root_);
    for (unsigned level = 3;; --level) {
        uint64_t e = t[index_at(va, level)];
        if (!(e & pte::kPresent)) return false;
        bool leaf = level == 0 || ((e & pte::kLarge) && level <= 2);
        if (leaf) {
            uint64_t page_size = 1ull << (12 + 9 * level);
            pa_out = (e & pte::kAddressMask & ~(page_size - 1)) + (va & (page_size - 1));
            if (leaf_out) *leaf_out = e;
            return true;
        }
        t = table(e & pte::kAddressMask);
    }
}

uint64_t PageTables::unmap_4k(uint64_t va)
{
    uint64_t* t = table(root_);
    for (unsigned level = 3; level > 0; --level) {
        uint64_t e = t[index_at(va, level)];
        if (!(e & pte::kPresent) || (e & pte::kLarge)) return 0;
        t = table(e & pte::kAddressMask);
    }
    uint64_t& leaf = t[index_at(va, 0)];
    if (!(leaf & pte::kPresent)) return 0;
    uint64_t phys = leaf & pte::kAddressMask;
    leaf = 0;
    return phys;
}

void PageTables::for_each_leaf(uint64_t from, uint64_t to, void (*visit)(uint64_t va, uint64_t leaf, void* ctx),
                               void* ctx) const
{
    // Walks down from `va`; an absent entry skips its whole span.
    uint64_t va = from & ~(kPage - 1);
    while (va < to) {
        const uint64_t* t = table(root_);
        unsigned level = 3;
        for (;;) {
            uint64_t e = t[index_at(va, level)];
            const uint64_t span = 1ull << (12 + 9 * level);
            if (!(e & pte::kPresent) || (level > 0 && (e & pte::kLarge))) {
                va = (va & ~(span - 1)) + span;
                break;
            }
            if (level == 0) {
                visit(va, e, ctx);
                va += kPage;
                break;
            }
            t = table(e & pte::kAddressMask);
            --level;
        }
        if (va == 0) break; // wrapped past the top
    }
}

MapFlags PageTables::flags_of(uint64_t leaf)
{
    return MapFlags{.write = (leaf & pte::kWrite) != 0,
                    .execute = (leaf & pte::kNoExecute) == 0,
                    .user = (leaf & pte::kUser) != 0,
                    .uncached = (leaf & pte::kCacheDisable) != 0,
                    .owned = (leaf & pte::kOwned) != 0};
}

void PageTables::release_lower_half(void (*release)(uint64_t phys, bool is_table, void* ctx), void* ctx)
{
    uint64_t* pml4 = table(root_);
    for (unsigned i4 = 0; i4 < 256; ++i4) {
        uint64_t e4 = pml4[i4];
        if (!(e4 & pte::kPresent)) continue;
        uint64_t* pdpt = table(e4 & pte::kAddressMask);
        for (unsigned i3 = 0; i3 < 512; ++i3) {
            uint64_t e3 = pdpt[i3];
            if (!(e3 & pte::kPresent) || (e3 & pte::kLarge)) continue;
            uint64_t* pd = table(e3 & pte::kAddressMask);
            for (unsigned i2 = 0; i2 < 512; ++i2) {
                uint64_t e2 = pd[i2];
                if (!(e2 & pte::kPresent) || (e2 & pte::kLarge)) continue;
                uint64_t* pt = table(e2 & pte::kAddressMask);
                for (unsigned i1 = 0; i1 < 512; ++i1)
                    if ((pt[i1] & pte::kPresent) && (pt[i1] & pte::kOwned))
                        release(pt[i1] & pte::kAddressMask, false, ctx);
                release(e2 & pte::kAddressMask, true, ctx);
            }
            release(e3 & pte::kAddressMask, true, ctx);
        }
        release(e4 & pte::kAddressMask, true, ctx);
        pml4[i4] = 0;
    }
}

} // namespace atoll_os
