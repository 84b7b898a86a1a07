// ELF64 program loading plan: which bytes of an untrusted executable go where, checked before anything is mapped.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"

namespace atoll_os::elf {

inline constexpr unsigned kMaxSegments = 16;

// The canonical lower half ends here; user programs live below it.
inline constexpr uint64_t kDefaultUserLimit = 0x0000800000000000;

// Nothing is ever loaded below this, so a null pointer (plus a small offset)
// always faults in a user program.
inline constexpr uint64_t kLowestLoadAddress = 0x1000;

// One PT_LOAD segment: memory [vaddr, vaddr + memsz) gets file bytes
// [file_offset, file_offset + filesz) at its start and zeroes after them.
struct Segment {
    uint64_t vaddr, memsz, file_offset, filesz;
    bool read, write, execute;
};

// Segments keep program header order and exclude PT_LOADs with p_memsz 0
// (they map nothing). Distinct segments never share a byte; they may share a
// page (linkers pack the last bytes of one and the first of the next into
// one page), but never a writable one with an executable one, so a loader
// that gives a shared page the union of both rights never makes W+X memory.
// lowest_vaddr / highest_vaddr_end bound all segments in bytes (not pages).
struct Plan {
    uint64_t entry;
    uint32_t segment_count;
    Segment segments[kMaxSegments];
    uint64_t lowest_vaddr, highest_vaddr_end;
};

// Validates a static, non-PIE x86-64 executable and describes how to load it.
// Every segment lies in [kLowestLoadAddress, user_limit) (user_limit should be
// page-aligned; pass kDefaultUserLimit for the whole lower half). Reports each
// problem through `diag` naming the field ("ELF: program header 3: p_filesz
// 0x2000 > p_memsz 0x1000"); "segment N" in a message is program header N.
// Returns false if anything is wrong; `out` is then unspecified. Reads only
// image[0, size).
bool plan_load(const uint8_t* image, size_t size, uint64_t user_limit, Plan& out, Diag& diag);

} // namespace atoll_os::elf
