// Page-fault resolution for the root task's programs.
#include "runtime/root/pager.hpp"

#include "kernel/abi/program_env.hpp"
#include "kernel/abi/syscalls.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/sigma0_client.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/root/loader.hpp"
#include "runtime/root/root_log.hpp"

namespace atoll_os::root {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMinChunk = 256 * 1024, kMaxChunk = 4ull << 20; // sigma0's frames: 2^n pages, <= 4 MiB
constexpr uint64_t kLowestPage = 0x10000;
// Our windows onto chunks, one after another; never reused (plenty of
// address space).
constexpr uint64_t kWindowBase = 0x0000180000000000ull;
uint64_t g_next_window = kWindowBase;

enum : uint64_t { kPresent = 1, kWriteAccess = 2, kFetch = 16 }; // page-fault error code bits

// Rights and contents of one page of a program's address space.
struct PageKind {
    bool valid, write, execute;
};

PageKind classify(const Child& c, uint64_t page_va)
{
    if (page_va >= kUserHeapBase && page_va < kUserHeapBase + c.allowance) return {true, true, false};
    if (page_va >= kMainStackTop - kMainStackMax && page_va < kMainStackTop) return {true, true, false};
    PageKind k{false, false, false};
    for (uint32_t i = 0; i < c.plan.segment_count; ++i) {
        const elf::Segment& s = c.plan.segments[i];
        if (page_va + kPage <= s.vaddr || page_va >= s.vaddr + s.memsz) continue;
        k.valid = true; // a page two segments share gets both their rights (never W+X: elf.hpp)
        k.write |= s.write;
        k.execute |= s.execute;
    }
    return k;
}

// The image bytes that belong in this page (the rest stays zero).
void fill_from_image(const Child& c, uint64_t page_va, uint8_t* page)
{
    for (uint32_t i = 0; i < c.plan.segment_count; ++i) {
        const elf::Segment& s = c.plan.segments[i];
        uint64_t from = page_va > s.vaddr ? page_va : s.vaddr;
        uint64_t file_end = s.vaddr + s.filesz;
        uint64_t to = page_va + kPage < file_end ? page_va + kPage : file_end;
        if (from < to) __builtin_memcpy(page + (from - page_va), c.image + s.file_offset + (from - s.vaddr), to - from);
    }
}

// A program on another core gets memory of that core, made through its
// core task (so from its node); ours comes from sigma0.
Status make_frame(const Child& c, uint64_t bytes, uint64_t slot)
{
    const ProgramEnv& env = *user::program_env();
    if (c.planned_core == env.core) return user::Sigma0Client(sys::kSlotBootEndpoint).frame(bytes, slot);
    return user::frame_create(core_slot(env, c.planned_core), slot, bytes);
}

bool new_chunk(Child& c, uint64_t bytes)
{
    if (c.chunk_count == Child::kMaxChunks) return false;
    uint64_t slot = user::alloc_slot();
    if (slot == user::kNoSlot) return false;
    const ProgramEnv& env = *user::program_env();
    const bool local = c.planned_core == env.core;
    Status s = make_frame(c, bytes, slot);
    uint64_t real = 0, phys = 0;
    if (ok(s)) s = user::frame_info(slot, real, &phys);
    if (ok(s)) s = user::map(sys::kSlotSelf, slot, g_next_window, user::kMapWrite);
    if (ok(s) && c.chunk_count == 0)
        log("%s: memory at %#lx from core %u", c.config->name, phys, local ? env.core : c.planned_core);
    if (!ok(s)) {
        log("%s: no memory %s: %s", c.config->name, local ? "from sigma0" : "on its core", status_message(s));
        (void)user::cap_delete(slot);
        user::free_slot(slot);
        return false;
    }
    c.chunks[c.chunk_count++] = Chunk{slot, g_next_window, real / kPage, 0};
    g_next_window += real;
    return true;
}

} // namespace

bool take_page(Child& c, uint64_t& frame_slot, uint64_t& page, uint8_t*& contents)
{
    if (c.given + kPage > c.allowance) return false;
    Chunk* chunk = c.chunk_count ? &c.chunks[c.chunk_count - 1] : nullptr;
    if (!chunk || chunk->used == chunk->pages) {
        // Chunks grow with the allowance so that kMaxChunks of them cover it.
        uint64_t bytes = kMinChunk;
        while (bytes < kMaxChunk && bytes * Child::kMaxChunks < c.allowance) bytes *= 2;
        if (!new_chunk(c, bytes)) return false;
        chunk = &c.chunks[c.chunk_count - 1];
    }
    frame_slot = chunk->slot;
    page = chunk->used++;
    contents = reinterpret_cast<uint8_t*>(chunk->window + page * kPage);
    c.given += kPage;
    return true;
}

bool resolve_fault(Child& c, uint64_t address, uint64_t ip, uint64_t code)
{
    const uint64_t vector = code & 0xff, error = code >> 8;
    const char* name = c.config->name;
    if (vector != 14) {
        log("%s: exception %lu at ip %#lx: killed", name, vector, ip);
        return false;
    }
    const uint64_t page_va = address & ~(kPage - 1);
    PageKind kind = page_va >= kLowestPage ? classify(c, page_va) : PageKind{};
    if (!kind.valid) {
        log("%s: page fault at ip %#lx on %#lx, outside its memory: killed", name, ip, address);
        return false;
    }
    if ((error & kPresent) || ((error & kWriteAccess) && !kind.write) || ((error & kFetch) && !kind.execute)) {
        log("%s: %s at ip %#lx on %#lx, which it may not do: killed", name,
            error & kFetch ? "instruction fetch" : error & kWriteAccess ? "write" : "read", ip, address);
        return false;
    }
    uint64_t frame, page;
    uint8_t* contents;
    if (!take_page(c, frame, page, contents)) {
        log("%s: page fault at ip %#lx on %#lx: its %lu KiB of memory are used up: killed", name, ip, address,
            c.allowance >> 10);
        return false;
    }
    fill_from_image(c, page_va, contents);
    uint64_t flags = kind.write ? user::kMapWrite : kind.execute ? user::kMapExecute : 0;
    Status s = user::map(c.task_slot, frame, page_va, flags, page, 1);
    if (!ok(s)) {
        log("%s: cannot map %#lx: %s: killed", name, page_va, status_message(s));
        return false;
    }
    return true;
}

bool give_frame(Child& c, uint64_t bytes, uint64_t dest)
{
    if (bytes == 0 || bytes > c.allowance - c.given) return false;
    if (!ok(make_frame(c, bytes, dest))) return false;
    uint64_t real = 0;
    (void)user::frame_info(dest, real);
    c.given += real;
    return true;
}

void release_memory(Child& c)
{
    // Deleting our capability unmaps the chunk everywhere (our window, and
    // the program's pages if it still had any) and frees it back to sigma0.
    for (uint32_t i = 0; i < c.chunk_count; ++i) {
        (void)user::cap_delete(c.chunks[i].slot);
        user::free_slot(c.chunks[i].slot);
    }
    c.chunk_count = 0;
    c.given = 0;
}

} // namespace atoll_os::root
