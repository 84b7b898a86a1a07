// The kernel's own symbol table, embedded at link time, for backtraces.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atoll_os {

// Layout written by tools/gen_ksymtab.py: header, entries sorted by address,
// then NUL-terminated names.
struct KsymHeader {
    uint32_t magic;          // kKsymMagic
    uint32_t count;
    uint32_t strings_offset; // from the header start
    uint32_t reserved;
};
struct KsymEntry {
    uint64_t address;
    uint32_t size;
    uint32_t name_offset;    // into the string area
};
inline constexpr uint32_t kKsymMagic = 0x4d59534b; // "KSYM"

struct SymbolHit {
    const char* name;        // nullptr when unknown
    uint64_t offset;
};

// Looks up `address` in a table image; nullptr name if not inside a symbol.
SymbolHit ksym_lookup(const void* table, size_t table_size, uint64_t address);
// The table linked into this kernel.
SymbolHit ksym_lookup(uint64_t address);

} // namespace atoll_os
