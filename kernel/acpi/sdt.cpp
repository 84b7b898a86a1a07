// SDT: System Description Table header checks and RSDT/XSDT walking.
#include "kernel/acpi/sdt.hpp"

#include "kernel/acpi/bytes.hpp"

namespace atoll_os::acpi {

namespace {

constexpr size_t kLengthOffset = 4;

uint32_t sig_word(const char sig[4])
{
    uint32_t word = 0;
    __builtin_memcpy(&word, sig, 4);
    return word;
}

// A root table's entries are physical addresses, 4 bytes (RSDT) or 8 (XSDT).
struct RootTable {
    ByteView table;
    size_t entry_size;
    const char* name;
};

// Maps the table at phys in two steps (header, then the length it claims)
// because only the header says how much to map.
const uint8_t* map_table(TableSource& src, uint64_t phys, const char sig[4], uint32_t* len_out,
                         Diag& diag)
{
    const TableName name = table_name(sig);
    const uint8_t* head = src.map(phys, kSdtHeaderSize);
    if (head == nullptr) {
        diag.report("%s: header at 0x%llx is not mappable", name.text,
                    static_cast<unsigned long long>(phys));
        return nullptr;
    }
    const uint32_t length = ByteView(head, kSdtHeaderSize).u32(kLengthOffset);
    if (length < kSdtHeaderSize || length > kMaxTableSize) {
        diag.report("%s: table length %u at 0x%llx outside [%u, %u]", name.text, length,
                    static_cast<unsigned long long>(phys), static_cast<unsigned>(kSdtHeaderSize),
                    kMaxTableSize);
        return nullptr;
    }
    const uint8_t* full = src.map(phys, length);
    if (full == nullptr) {
        diag.report("%s: table of %u bytes at 0x%llx is not mappable", name.text, length,
                    static_cast<unsigned long long>(phys));
        return nullptr;
    }
    if (validate_sdt(full, length, sig, diag) == 0) {
        return nullptr;
    }
    *len_out = length;
    return full;
}

bool open_root(TableSource& src, uint64_t phys, const char sig[4], size_t entry_size, RootTable& out,
               Diag& diag)
{
    uint32_t length = 0;
    const uint8_t* table = map_table(src, phys, sig, &length, diag);
    if (table == nullptr) {
        return false;
    }
    out.table = ByteView(table, length);
    out.entry_size = entry_size;
    out.name = entry_size == 8 ? "XSDT" : "RSDT";
    const size_t trailing = (length - kSdtHeaderSize) % entry_size;
    if (trailing != 0) {
        diag.report("%s: length %u leaves %u bytes after the last %u-byte entry; ignored", out.name,
                    length, static_cast<unsigned>(trailing), static_cast<unsigned>(entry_size));
    }
    return true;
}

uint64_t entry_address(const RootTable& root, size_t i)
{
    const size_t off = kSdtHeaderSize + i * root.entry_size;
    return root.entry_size == 8 ? root.table.u64(off) : root.table.u32(off);
}

size_t entry_count(const RootTable& root) { return (root.table.size() - kSdtHeaderSize) / root.entry_size; }

bool lists(const RootTable& root, uint64_t phys)
{
    for (size_t i = 0; i < entry_count(root); ++i) {
        if (entry_address(root, i) == phys) {
            return true;
        }
    }
    return false;
}

// Entries that `seen` (if non-null) also lists were already judged there;
// skipping them avoids judging, and reporting, the same table twice.
const uint8_t* search_root(TableSource& src, const RootTable& root, const RootTable* seen, const char sig[4],
                           size_t* len_out, Diag& diag)
{
    for (size_t i = 0; i < entry_count(root); ++i) {
        const uint64_t phys = entry_address(root, i);
        if (seen != nullptr && lists(*seen, phys)) {
            continue;
        }
        if (phys == 0) {
            diag.report("%s: entry %u is a null address; skipped", root.name, static_cast<unsigned>(i));
            continue;
        }
        const uint8_t* head = src.map(phys, kSdtHeaderSize);
        if (head == nullptr) {
            diag.report("%s: entry %u address 0x%llx is not mappable; skipped", root.name,
                        static_cast<unsigned>(i), static_cast<unsigned long long>(phys));
            continue;
        }
        // Other tables are not ours to judge; only candidates get validated.
        if (!ByteView(head, kSdtHeaderSize).equals(0, sig, 4)) {
            continue;
        }
        uint32_t length = 0;
        if (const uint8_t* table = map_table(src, phys, sig, &length, diag)) {
            if (len_out != nullptr) {
                *len_out = length;
            }
            return table;
        }
    }
    return nullptr;
}

} // namespace

TableName table_name(const char sig[4])
{
    TableName name{};
    if (__builtin_memcmp(sig, "APIC", 4) == 0) {
        __builtin_memcpy(name.text, "MADT", 4);
    } else if (__builtin_memcmp(sig, "FACP", 4) == 0) {
        __builtin_memcpy(name.text, "FADT", 4);
    } else {
        for (int i = 0; i < 4; ++i) {
            const char c = sig[i];
            name.text[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
        }
    }
    return name;
}

uint32_t validate_sdt(const uint8_t* table, size_t avail, const char sig[4], Diag& diag)
{
    const TableName name = table_name(sig);
    const ByteView v(table, avail);
    if (!v.has(0, kSdtHeaderSize)) {
        diag.report("%s: only %u bytes available (expected >= %u for the header)", name.text,
                    static_cast<unsigned>(v.size()), static_cast<unsigned>(kSdtHeaderSize));
        return 0;
    }
    if (!v.equals(0, sig, 4)) {
        diag.report("%s: signature 0x%08x (expected 0x%08x \"%.4s\")", name.text, v.u32(0), sig_word(sig),
                    sig);
        return 0;
    }
    const uint32_t length = v.u32(kLengthOffset);
    if (length < kSdtHeaderSize) {
        diag.report("%s: table length %u is shorter than the %u-byte header", name.text, length,
                    static_cast<unsigned>(kSdtHeaderSize));
        return 0;
    }
    if (length > v.size()) {
        diag.report("%s: table length %u runs past the %u bytes available", name.text, length,
                    static_cast<unsigned>(v.size()));
        return 0;
    }
    const uint8_t sum = v.sub(0, length).sum8();
    if (sum != 0) {
        diag.report("%s: checksum over %u bytes sums to 0x%02x (expected 0)", name.text, length, sum);
        return 0;
    }
    return length;
}

const uint8_t* find_table(TableSource& src, const Rsdp& rsdp, const char sig[4], size_t* len_out,
                          Diag& diag)
{
    RootTable xsdt{};
    const bool have_xsdt = rsdp.xsdt != 0 && open_root(src, rsdp.xsdt, "XSDT", 8, xsdt, diag);
    if (have_xsdt) {
        if (const uint8_t* table = search_root(src, xsdt, nullptr, sig, len_out, diag)) {
            return table;
        }
    } else if (rsdp.xsdt != 0 && rsdp.rsdt != 0) {
        diag.report("XSDT: unusable; falling back to the RSDT");
    }
    // The XSDT is authoritative when valid, but a table it lacks or lists
    // corrupted may still be intact through the RSDT; better that than none.
    RootTable rsdt{};
    if (rsdp.rsdt == 0 || !open_root(src, rsdp.rsdt, "RSDT", 4, rsdt, diag)) {
        return nullptr;
    }
    const uint8_t* table = search_root(src, rsdt, have_xsdt ? &xsdt : nullptr, sig, len_out, diag);
    if (table != nullptr && have_xsdt) {
        diag.report("%s: no valid XSDT entry; using the one listed only in the RSDT", table_name(sig).text);
    }
    return table;
}

} // namespace atoll_os::acpi
