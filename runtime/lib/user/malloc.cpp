// Size-class heap over map_anonymous.
#include "runtime/lib/user/malloc.hpp"

#include <new>

#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/syscall.hpp"

namespace atoll_os::user {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kChunk = 64 * 1024;       // grow by this much at a time
constexpr unsigned kClasses = 8;           // 16 .. 2048 bytes
constexpr size_t kHeader = 16;             // keeps user pointers 16-byte aligned

struct FreeBlock { FreeBlock* next; };
struct Header { uint64_t size_class; uint64_t bytes; }; // class kClasses = a page run of `bytes`
static_assert(sizeof(Header) == kHeader);

FreeBlock* g_free[kClasses + 1]; // last list: page runs (first fit)
uint64_t g_top = kHeapBase;      // end of mapped heap
uint64_t g_cursor = kHeapBase;   // end of carved heap

unsigned class_of(size_t total)
{
    unsigned c = 0;
    for (size_t size = 16; size < total; size <<= 1) ++c;
    return c;
}

// Carves `bytes` (a multiple of 16) from the heap, mapping more as needed.
void* carve(size_t bytes)
{
    if (const ProgramEnv* env = program_env(); env && env->heap_bytes) {
        // The pager maps what we touch; it refuses beyond the allowance.
        if (bytes > env->heap_base + env->heap_bytes - g_cursor) return nullptr;
        g_top = g_cursor + bytes;
    }
    while (g_cursor + bytes > g_top) {
        size_t grow = bytes > kChunk ? (bytes + kPage - 1) & ~(kPage - 1) : kChunk;
        if (g_top + grow > kHeapLimit || !ok(map_anonymous(sys::kSlotSelf, g_top, grow, kMapWrite))) return nullptr;
        g_top += grow;
    }
    void* p = reinterpret_cast<void*>(g_cursor);
    g_cursor += bytes;
    return p;
}

void* large_alloc(size_t total)
{
    total = (total + kPage - 1) & ~(kPage - 1);
    // Best fit: runs are not split, so taking a larger one than needed
    // would strand memory a later, larger request then has to map anew.
    FreeBlock** best = nullptr;
    for (FreeBlock** link = &g_free[kClasses]; *link; link = &(*link)->next) {
        uint64_t bytes = reinterpret_cast<Header*>(*link)->bytes;
        if (bytes >= total && (!best || bytes < reinterpret_cast<Header*>(*best)->bytes)) best = link;
    }
    if (best) {
        auto* h = reinterpret_cast<Header*>(*best);
        *best = (*best)->next;
        return h;
    }
    auto* h = static_cast<Header*>(carve(total));
    if (h) h->bytes = total;
    return h;
}

} // namespace

void* malloc(size_t bytes)
{
    if (bytes > kHeapLimit - kHeapBase) return nullptr;
    size_t total = bytes + kHeader;
    unsigned c = class_of(total);
    Header* h;
    if (c < kClasses) {
        if (FreeBlock* b = g_free[c]) {
            g_free[c] = b->next;
            h = reinterpret_cast<Header*>(b);
        } else {
            h = static_cast<Header*>(carve(size_t(16) << c));
        }
    } else {
        h = static_cast<Header*>(large_alloc(total));
    }
    if (!h) return nullptr;
    h->size_class = c < kClasses ? c : kClasses;
    if (c < kClasses) h->bytes = size_t(16) << c;
    return reinterpret_cast<char*>(h) + kHeader;
}

void free(void* p)
{
    if (!p) return;
    auto* h = reinterpret_cast<Header*>(static_cast<char*>(p) - kHeader);
    unsigned c = h->size_class <= kClasses ? unsigned(h->size_class) : kClasses;
    // `next` overlays size_class only; a page run keeps `bytes` for reuse.
    auto* b = reinterpret_cast<FreeBlock*>(h);
    b->next = g_free[c];
    g_free[c] = b;
}

size_t heap_bytes_mapped() { return g_top - kHeapBase; }

} // namespace atoll_os::user

namespace {
// Without exceptions a failed new cannot report; the compiler may assume
// new never returns null, so the program stops with a clear line instead.
void* must_allocate(size_t bytes)
{
    void* p = atoll_os::user::malloc(bytes);
    if (!p) {
        atoll_os::user::print("out of memory: new of %zu bytes failed (task quota used up)", bytes);
        atoll_os::user::thread_exit(-1);
    }
    return p;
}
} // namespace

void* operator new(size_t bytes) { return must_allocate(bytes); }
void* operator new[](size_t bytes) { return must_allocate(bytes); }
void operator delete(void* p) noexcept { atoll_os::user::free(p); }
void operator delete[](void* p) noexcept { atoll_os::user::free(p); }
void operator delete(void* p, size_t) noexcept { atoll_os::user::free(p); }
void operator delete[](void* p, size_t) noexcept { atoll_os::user::free(p); }
