// XSAVE/FXSAVE management of user FPU state.
#include "kernel/arch/x86_64/fpu.hpp"

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"

namespace atoll_os {
namespace fpu_detail {
bool g_xsave;
uint64_t g_xcr0;
} // namespace fpu_detail

namespace {

using fpu_detail::g_xcr0;
using fpu_detail::g_xsave;
size_t g_area = 512;

void xsetbv(uint32_t reg, uint64_t value)
{
    asm volatile("xsetbv" ::"c"(reg), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)));
}

} // namespace

void fpu_init_core()
{
    auto leaf1 = cpu::cpuid(1);
    uint64_t cr4 = cpu::read_cr4();
    cr4 |= (1u << 9) | (1u << 10); // OSFXSR, OSXMMEXCPT
    g_xsave = leaf1.ecx & (1u << 26);
    if (g_xsave) cr4 |= 1u << 18;  // OSXSAVE
    cpu::write_cr4(cr4);
    uint64_t cr0 = cpu::read_cr0();
    cr0 &= ~(1ull << 2);                 // EM off
    cr0 |= (1ull << 1) | (1ull << 5);    // MP, NE
    cpu::write_cr0(cr0);
    if (g_xsave) {
        auto leaf_d = cpu::cpuid(0xd, 0);
        uint64_t supported = (uint64_t(leaf_d.edx) << 32) | leaf_d.eax;
        // x87, SSE, AVX, and AVX-512 when all three of its parts are there.
        g_xcr0 = supported & 0x7;
        if ((supported & 0xe0) == 0xe0) g_xcr0 |= 0xe0;
        xsetbv(0, g_xcr0);
        g_area = cpu::cpuid(0xd, 0).ebx; // size for the enabled components
    }
}

size_t fpu_area_size() { return (g_area + 63) & ~size_t(63); }

void fpu_init_area(void* area)
{
    // An all-zero XSAVE header means "every component in its initial state";
    // the legacy area still needs a valid MXCSR and FCW.
    __builtin_memset(area, 0, fpu_area_size());
    auto* bytes = static_cast<uint8_t*>(area);
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    __builtin_memcpy(bytes + 0, &fcw, 2);
    __builtin_memcpy(bytes + 24, &mxcsr, 4);
}

} // namespace atoll_os
