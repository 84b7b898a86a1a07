// KernelHeap: one core's kernel heap, slabs for small objects and frames for large ones.
#include "kernel/mem/heap.hpp"

#include <bit>

namespace atoll_os::mem {

struct KernelHeap::Slab {
    uint32_t magic;
    uint16_t cls;
    uint16_t used;
    Slab* next;
    Slab* prev;
    uint64_t taken[4];  // one bit per slot; bits past the last slot stay set
};

struct KernelHeap::Large {
    uint32_t magic;
    uint32_t order;
    uintptr_t block;  // virtual address of the buddy block
    uintptr_t user;   // the pointer handed out, to reject interior pointers
    Large* next;
    Large* prev;
};

namespace {

using u64 = unsigned long long;  // matches %llu/%llx on every target

constexpr uint32_t kSlabMagic = 0x534c4142;   // "SLAB"
constexpr uint32_t kLargeMagic = 0x4c415247;  // "LARG"
constexpr size_t kMinAlign = 16;
constexpr size_t kSlabHeader = 64;  // also the alignment of small-class slots
constexpr size_t kLargeHeader = 64;

constexpr size_t class_size(unsigned cls) { return kMinAlign << cls; }
// Slots start at a multiple of their size, so every object is aligned to it.
constexpr size_t first_slot(unsigned cls) { return class_size(cls) > kSlabHeader ? class_size(cls) : kSlabHeader; }
constexpr size_t slot_count(unsigned cls) { return (kPageSize - first_slot(cls)) / class_size(cls); }

// A page header sits in the page holding ptr - 1: the slab's only page, or
// for a large block the page just below the returned pointer.
constexpr uintptr_t header_of(uintptr_t ptr) { return align_down(ptr - 1); }

template <typename T>
void push(T*& head, T* item)
{
    item->prev = nullptr;
    item->next = head;
    if (head != nullptr)
        head->prev = item;
    head = item;
}

template <typename T>
void unlink(T*& head, T* item)
{
    if (item->prev != nullptr)
        item->prev->next = item->next;
    else
        head = item->next;
    if (item->next != nullptr)
        item->next->prev = item->prev;
}

} // namespace

void KernelHeap::init(FrameAllocator& frames, uint64_t virt_offset)
{
    static_assert(sizeof(Slab) <= kSlabHeader && sizeof(Large) <= kLargeHeader);
    static_assert(slot_count(0) <= 4 * 64);
    *this = KernelHeap{};
    frames_ = &frames;
    virt_offset_ = virt_offset;
}

void* KernelHeap::alloc(size_t bytes, size_t align)
{
    if (frames_ == nullptr || !std::has_single_bit(align))
        return nullptr;
    align = align < kMinAlign ? kMinAlign : align;
    size_t need = bytes > align ? bytes : align;
    if (need <= class_size(kClassCount - 1))
        return slab_alloc(static_cast<unsigned>(std::bit_width(need - 1)) - 4);
    return large_alloc(bytes, align);
}

void* KernelHeap::slab_alloc(unsigned cls)
{
    Slab* slab = partial_[cls] != nullptr ? partial_[cls] : new_slab(cls);
    if (slab == nullptr)
        return nullptr;
    unsigned word = 0;
    while (slab->taken[word] == ~uint64_t{0})
        ++word;
    unsigned bit = static_cast<unsigned>(std::countr_zero(~slab->taken[word]));
    slab->taken[word] |= uint64_t{1} << bit;
    if (++slab->used == slot_count(cls)) {
        unlink(partial_[cls], slab);
        push(full_[cls], slab);
    }
    bytes_in_use_ += class_size(cls);
    size_t slot = word * 64 + bit;
    return reinterpret_cast<uint8_t*>(slab) + first_slot(cls) + slot * class_size(cls);
}

KernelHeap::Slab* KernelHeap::new_slab(unsigned cls)
{
    uint64_t phys = frames_->alloc(0);
    if (phys == 0)
        return nullptr;
    Slab* slab = reinterpret_cast<Slab*>(phys + virt_offset_);
    slab->magic = kSlabMagic;
    slab->cls = static_cast<uint16_t>(cls);
    slab->used = 0;
    for (unsigned w = 0; w < 4; ++w) {
        size_t first = w * 64, slots = slot_count(cls);
        slab->taken[w] = slots >= first + 64 ? 0 : slots <= first ? ~uint64_t{0} : ~uint64_t{0} << (slots - first);
    }
    push(partial_[cls], slab);
    return slab;
}

void* KernelHeap::large_alloc(size_t bytes, size_t align)
{
    size_t offset = align > kLargeHeader ? align : kLargeHeader;
    constexpr size_t kMaxBlock = kPageSize << FrameAllocator::kMaxOrder;
    if (offset >= kMaxBlock || bytes > kMaxBlock - offset)
        return nullptr;
    unsigned order = 0;
    while ((kPageSize << order) < offset + bytes)
        ++order;
    uint64_t phys = frames_->alloc(order);
    if (phys == 0)
        return nullptr;
    uintptr_t block = phys + virt_offset_;
    uintptr_t user = block + offset;
    Large* large = reinterpret_cast<Large*>(header_of(user));
    large->magic = kLargeMagic;
    large->order = order;
    large->block = block;
    large->user = user;
    push(large_, large);
    bytes_in_use_ += kPageSize << order;
    return reinterpret_cast<void*>(user);
}

void KernelHeap::free(void* ptr)
{
    if (ptr == nullptr)
        return;
    uintptr_t addr = reinterpret_cast<uintptr_t>(ptr);
    uintptr_t header = header_of(addr);
    bool ok = false;
    // Only read a header from memory this core's allocator manages.
    if (frames_ != nullptr && mine(header)) {
        uint32_t magic = *reinterpret_cast<const uint32_t*>(header);
        if (magic == kSlabMagic)
            ok = slab_free(reinterpret_cast<Slab*>(header), addr);
        else if (magic == kLargeMagic)
            ok = large_free(reinterpret_cast<Large*>(header), addr);
    }
    if (!ok && rejected_frees_++ == 0)
        first_rejected_ = addr;
}

bool KernelHeap::slab_free(Slab* slab, uintptr_t addr)
{
    unsigned cls = slab->cls;
    size_t offset = addr - reinterpret_cast<uintptr_t>(slab);
    if (cls >= kClassCount || offset < first_slot(cls) || (offset - first_slot(cls)) % class_size(cls) != 0)
        return false;
    size_t slot = (offset - first_slot(cls)) / class_size(cls);
    uint64_t bit = uint64_t{1} << (slot % 64);
    if (slot >= slot_count(cls) || (slab->taken[slot / 64] & bit) == 0)
        return false;
    slab->taken[slot / 64] &= ~bit;
    bytes_in_use_ -= class_size(cls);
    if (slab->used-- == slot_count(cls)) {
        unlink(full_[cls], slab);
        push(partial_[cls], slab);
    }
    if (slab->used == 0) {
        unlink(partial_[cls], slab);
        slab->magic = 0;  // a stale pointer into this page must not look valid
        return frames_->free(reinterpret_cast<uintptr_t>(slab) - virt_offset_, 0);
    }
    return true;
}

bool KernelHeap::large_free(Large* large, uintptr_t addr)
{
    if (large->user != addr || large->order > FrameAllocator::kMaxOrder)
        return false;
    unlink(large_, large);
    large->magic = 0;
    bytes_in_use_ -= kPageSize << large->order;
    return frames_->free(large->block - virt_offset_, large->order);
}

bool KernelHeap::check(Diag& diag) const
{
    if (frames_ == nullptr)
        return bytes_in_use_ == 0;
    if (rejected_frees_ != 0) {
        diag.report("heap: %llu free(s) of pointers not allocated here or already freed; first 0x%llx",
                    static_cast<u64>(rejected_frees_), static_cast<u64>(first_rejected_));
        return false;
    }
    size_t bytes = 0;
    for (unsigned cls = 0; cls < kClassCount; ++cls)
        if (!check_slabs(diag, cls, false, bytes) || !check_slabs(diag, cls, true, bytes))
            return false;
    if (!check_large(diag, bytes))
        return false;
    if (bytes != bytes_in_use_) {
        diag.report("heap: slabs and large blocks hold %llu bytes but the counter says %llu",
                    static_cast<u64>(bytes), static_cast<u64>(bytes_in_use_));
        return false;
    }
    return true;
}

bool KernelHeap::check_slabs(Diag& diag, unsigned cls, bool full, size_t& bytes) const
{
    uint64_t limit = frames_->total_bytes() / kPageSize;
    const Slab* prev = nullptr;
    for (const Slab* s = full ? full_[cls] : partial_[cls]; s != nullptr; prev = s, s = s->next) {
        const char* why = nullptr;
        unsigned marked = 0;
        if (limit-- == 0)
            why = "more slabs than frames (cycle?)";
        else if (!mine(reinterpret_cast<uintptr_t>(s)) || reinterpret_cast<uintptr_t>(s) % kPageSize != 0)
            why = "not a frame of this core's allocator";
        else if (s->magic != kSlabMagic || s->cls != cls || s->prev != prev)
            why = "header or links corrupted";
        else {
            for (uint64_t w : s->taken)
                marked += static_cast<unsigned>(std::popcount(w));
            size_t padding = 4 * 64 - slot_count(cls);
            if (marked != s->used + padding || s->used == 0 || (s->used == slot_count(cls)) != full)
                why = "use count disagrees with its bitmap or list";
        }
        if (why != nullptr) {
            diag.report("heap: %zu-byte slab at 0x%llx: %s", class_size(cls),
                        static_cast<u64>(reinterpret_cast<uintptr_t>(s)), why);
            return false;
        }
        bytes += s->used * class_size(cls);
    }
    return true;
}

bool KernelHeap::check_large(Diag& diag, size_t& bytes) const
{
    uint64_t limit = frames_->total_bytes() / kPageSize;
    const Large* prev = nullptr;
    for (const Large* l = large_; l != nullptr; prev = l, l = l->next) {
        uintptr_t at = reinterpret_cast<uintptr_t>(l);
        if (limit-- == 0 || !mine(at) || l->magic != kLargeMagic || l->prev != prev ||
            l->order > FrameAllocator::kMaxOrder || header_of(l->user) != at || !mine(l->block)) {
            diag.report("heap: large block header at 0x%llx corrupted", static_cast<u64>(at));
            return false;
        }
        bytes += kPageSize << l->order;
    }
    return true;
}

} // namespace atoll_os::mem
