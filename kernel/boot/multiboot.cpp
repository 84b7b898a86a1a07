// Multiboot v1 and multiboot2 information parsing.
#include "kernel/boot/multiboot.hpp"

namespace atoll_os {
namespace {

class PhysReader {
public:
    PhysReader(uint64_t offset, uint64_t limit) : offset_(offset), limit_(limit) {}
    bool ok(uint64_t phys, uint64_t len) const { return phys < limit_ && len <= limit_ - phys; }
    template <class T> bool read(uint64_t phys, T& out) const
    {
        if (!ok(phys, sizeof(T))) return false;
        __builtin_memcpy(&out, reinterpret_cast<const void*>(phys + offset_), sizeof(T));
        return true;
    }
    // Copies a NUL-terminated string of at most cap-1 bytes.
    bool read_string(uint64_t phys, char* out, uint64_t cap) const
    {
        uint64_t n = 0;
        for (; n + 1 < cap; ++n) {
            char c;
            if (!read(phys + n, c)) return false;
            if (!c) break;
            out[n] = c;
        }
        out[n] = '\0';
        return true;
    }

private:
    uint64_t offset_, limit_;
};

// Entries past the cap are dropped; the report is made once, not per entry.
void add_memory(BootInfo& out, uint64_t base, uint64_t len, uint32_t type, Diag& diag, bool& overflow_reported)
{
    if (out.memory_map_count == kMaxMemoryMapEntries) {
        if (!overflow_reported)
            diag.report("multiboot: memory map has more than %u entries; ignoring the rest", kMaxMemoryMapEntries);
        overflow_reported = true;
        return;
    }
    out.memory_map[out.memory_map_count++] = MemoryMapEntry{base, len, type};
}

void add_module(BootInfo& out, const PhysReader& mem, uint32_t start, uint32_t end, uint64_t name_phys,
                Diag& diag, bool& overflow_reported)
{
    if (out.module_count == kMaxBootModules) {
        if (!overflow_reported) diag.report("multiboot: more than %u modules; ignoring the rest", kMaxBootModules);
        overflow_reported = true;
        return;
    }
    if (end < start) {
        diag.report("multiboot: module %u ends (%#x) before it starts (%#x)", out.module_count, end, start);
        return;
    }
    BootModule& m = out.modules[out.module_count++];
    m.base = start;
    m.end = end;
    if (!mem.read_string(name_phys, m.name, sizeof m.name)) m.name[0] = '\0';
}

bool parse_v1(const PhysReader& mem, uint64_t info, BootInfo& out, LoaderExtras& extras, Diag& diag)
{
    struct [[gnu::packed]] Info {
        uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
        uint32_t syms[4];
        uint32_t mmap_length, mmap_addr;
    } mbi;
    if (!mem.read(info, mbi)) {
        diag.report("multiboot: info structure at %#lx is unreadable", info);
        return false;
    }
    extras.info = PhysRange{info, info + sizeof mbi};
    bool too_many_modules = false, too_many_entries = false;
    if (mbi.flags & (1u << 2)) mem.read_string(mbi.cmdline, out.cmdline, kCmdlineMax);
    if (mbi.flags & (1u << 3)) {
        for (uint32_t i = 0; i < mbi.mods_count; ++i) {
            struct { uint32_t start, end, string, reserved; } mod;
            if (!mem.read(uint64_t(mbi.mods_addr) + i * 16ull, mod)) {
                diag.report("multiboot: module %u descriptor is unreadable", i);
                break;
            }
            add_module(out, mem, mod.start, mod.end, mod.string, diag, too_many_modules);
        }
    }
    if (!(mbi.flags & (1u << 6))) {
        diag.report("multiboot: loader gave no memory map (flags %#x)", mbi.flags);
        return false;
    }
    uint64_t p = mbi.mmap_addr, end = uint64_t(mbi.mmap_addr) + mbi.mmap_length;
    while (p + 4 <= end) {
        struct [[gnu::packed]] Entry { uint32_t size; uint64_t base, len; uint32_t type; } e;
        if (!mem.read(p, e)) {
            diag.report("multiboot: memory map entry at %#lx is unreadable", p);
            return false;
        }
        if (e.size < 20) {
            diag.report("multiboot: memory map entry at %#lx has size %u (expected >= 20)", p, e.size);
            return false;
        }
        add_memory(out, e.base, e.len, e.type, diag, too_many_entries);
        p += uint64_t(e.size) + 4;
    }
    return true;
}

bool parse_v2(const PhysReader& mem, uint64_t info, BootInfo& out, LoaderExtras& extras, Diag& diag)
{
    uint32_t total;
    if (!mem.read(info, total) || total < 16 || !mem.ok(info, total)) {
        diag.report("multiboot2: info at %#lx has unusable total size", info);
        return false;
    }
    extras.info = PhysRange{info, info + total};
    bool have_mmap = false;
    bool too_many_modules = false, too_many_entries = false;
    uint64_t p = info + 8, end = info + total;
    while (p + 8 <= end) {
        struct { uint32_t type, size; } tag;
        mem.read(p, tag);
        if (tag.type == 0) break;
        if (tag.size < 8 || tag.size > end - p) {
            diag.report("multiboot2: tag type %u at %#lx has size %u past the end", tag.type, p, tag.size);
            return false;
        }
        uint64_t body = p + 8, body_len = tag.size - 8;
        switch (tag.type) {
        case 1: // command line
            mem.read_string(body, out.cmdline, body_len + 1 < kCmdlineMax ? body_len + 1 : kCmdlineMax);
            break;
        case 3: { // module
            struct { uint32_t start, end; } mod;
            if (body_len >= 8 && mem.read(body, mod))
                add_module(out, mem, mod.start, mod.end, body + 8, diag, too_many_modules);
            break;
        }
        case 6: { // memory map
            struct { uint32_t entry_size, entry_version; } hdr;
            if (body_len < 8 || !mem.read(body, hdr)) {
                diag.report("multiboot2: memory map tag of %lu bytes has no room for its header", body_len + 8);
                return false;
            }
            if (hdr.entry_size < 24) {
                diag.report("multiboot2: memory map entry size %u (expected >= 24)", hdr.entry_size);
                return false;
            }
            for (uint64_t e = body + 8; e + hdr.entry_size <= body + body_len; e += hdr.entry_size) {
                struct [[gnu::packed]] Entry { uint64_t base, len; uint32_t type, reserved; } ent;
                mem.read(e, ent);
                add_memory(out, ent.base, ent.len, ent.type, diag, too_many_entries);
            }
            have_mmap = true;
            break;
        }
        case 14: // ACPI 1.0 RSDP copy
        case 15: { // ACPI 2.0+ RSDP copy
            uint32_t n = body_len < sizeof extras.rsdp ? uint32_t(body_len) : uint32_t(sizeof extras.rsdp);
            if (tag.type == 15 || extras.rsdp_len == 0) {
                for (uint32_t i = 0; i < n; ++i) mem.read(body + i, extras.rsdp[i]);
                extras.rsdp_len = n;
            }
            break;
        }
        default: break;
        }
        p += (uint64_t(tag.size) + 7) & ~uint64_t(7);
    }
    if (!have_mmap) diag.report("multiboot2: loader gave no memory map tag");
    return have_mmap;
}

} // namespace

bool parse_multiboot(uint32_t magic, uint64_t info_phys, uint64_t virt_offset, uint64_t phys_limit,
                     BootInfo& out, LoaderExtras& extras, Diag& diag)
{
    PhysReader mem(virt_offset, phys_limit);
    out.loader_magic = magic;
    extras.rsdp_len = 0;
    if (magic == kMultiboot1Magic) return parse_v1(mem, info_phys, out, extras, diag);
    if (magic == kMultiboot2Magic) return parse_v2(mem, info_phys, out, extras, diag);
    diag.report("boot: unknown loader magic %#x (expected multiboot %#x or multiboot2 %#x)", magic,
                kMultiboot1Magic, kMultiboot2Magic);
    return false;
}

} // namespace atoll_os
