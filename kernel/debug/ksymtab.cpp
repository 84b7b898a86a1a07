// Address-to-symbol lookup over the embedded table (binary search).
#include "kernel/debug/ksymtab.hpp"

namespace atoll_os {

SymbolHit ksym_lookup(const void* table, size_t table_size, uint64_t address)
{
    auto* bytes = static_cast<const uint8_t*>(table);
    if (table_size < sizeof(KsymHeader)) return {nullptr, 0};
    auto* hdr = static_cast<const KsymHeader*>(table);
    if (hdr->magic != kKsymMagic) return {nullptr, 0};
    size_t entries_end = sizeof(KsymHeader) + size_t(hdr->count) * sizeof(KsymEntry);
    if (entries_end > table_size || hdr->strings_offset > table_size || hdr->strings_offset < entries_end)
        return {nullptr, 0};
    auto* entries = reinterpret_cast<const KsymEntry*>(bytes + sizeof(KsymHeader));

    // Last entry whose address <= target.
    size_t lo = 0, hi = hdr->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entries[mid].address <= address) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return {nullptr, 0};
    const KsymEntry& e = entries[lo - 1];
    uint64_t offset = address - e.address;
    if (e.size != 0 && offset >= e.size) return {nullptr, 0};
    size_t name_at = size_t(hdr->strings_offset) + e.name_offset;
    if (name_at >= table_size) return {nullptr, 0};
    // The name must end inside the table, or a reader would run off it.
    size_t end = name_at;
    while (end < table_size && bytes[end]) ++end;
    if (end == table_size) return {nullptr, 0};
    return {reinterpret_cast<const char*>(bytes + name_at), offset};
}

#if defined(ATOLL_KERNEL)
extern "C" const uint8_t __ksymtab_start[];
extern "C" const uint8_t __rodata_end[];

SymbolHit ksym_lookup(uint64_t address)
{
    return ksym_lookup(__ksymtab_start, size_t(__rodata_end - __ksymtab_start), address);
}
#endif

} // namespace atoll_os
