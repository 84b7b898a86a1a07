// SDT: System Description Table header checks and RSDT/XSDT walking.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/rsdp.hpp"
#include "kernel/lib/diag.hpp"

namespace atoll_os::acpi {

inline constexpr size_t kSdtHeaderSize = 36;
// No table we parse comes close; the cap keeps a corrupt length from asking
// the kernel to map gigabytes.
inline constexpr uint32_t kMaxTableSize = 16u << 20;

// How the walker reads physical memory. The kernel maps firmware memory;
// tests and the fuzzer serve byte arrays. Returned pointers must stay valid
// until the caller has finished with the tables (build_topology returns).
class TableSource {
public:
    // The len bytes at phys, or nullptr if that range cannot be mapped.
    virtual const uint8_t* map(uint64_t phys, size_t len) = 0;

protected:
    ~TableSource() = default;
};

// What reports call a table: its usual name ("MADT" for signature "APIC"),
// or the signature itself.
struct TableName {
    char text[5];
};
TableName table_name(const char sig[4]);

// Checks the header of the table at `table` (avail readable bytes): signature,
// 36 <= length <= avail, checksum over length bytes. Returns the length, or 0
// after reporting what is wrong.
uint32_t validate_sdt(const uint8_t* table, size_t avail, const char sig[4], Diag& diag);

// The first valid table with signature sig listed by the XSDT (when the RSDP
// gives one and it is valid) or else the RSDT. Invalid candidates are
// reported and skipped. Stores the table length in *len_out (if non-null).
const uint8_t* find_table(TableSource& src, const Rsdp& rsdp, const char sig[4], size_t* len_out,
                          Diag& diag);

} // namespace atoll_os::acpi
