// The register frame interrupt_entry.S builds; field order mirrors its pushes.
#pragma once

#include <stdint.h>

namespace atoll_os {

struct InterruptFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  // pushed by the CPU
};
static_assert(sizeof(InterruptFrame) == 22 * 8);

} // namespace atoll_os
