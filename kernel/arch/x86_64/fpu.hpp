// User FPU/SSE/AVX state: saved with XSAVE (FXSAVE on CPUs without it) on
// every switch between threads. The kernel itself never touches these
// registers (it is built without SSE), so entries need no save.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atoll_os {

// Enables the FPU state components this CPU has; once per core.
void fpu_init_core();
// Bytes a thread's save area needs (64-byte aligned).
size_t fpu_area_size();
// Puts the power-on state into a fresh area.
void fpu_init_area(void* area);

// Inline: they sit on the IPC path's thread switch (twice per round trip).
namespace fpu_detail {
extern bool g_xsave;
extern uint64_t g_xcr0;
} // namespace fpu_detail

inline void fpu_save(void* area)
{
    using namespace fpu_detail;
    if (g_xsave)
        asm volatile("xsave64 (%0)" ::"r"(area), "a"(uint32_t(g_xcr0)), "d"(uint32_t(g_xcr0 >> 32)) : "memory");
    else
        asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

inline void fpu_restore(const void* area)
{
    using namespace fpu_detail;
    if (g_xsave)
        asm volatile("xrstor64 (%0)" ::"r"(area), "a"(uint32_t(g_xcr0)), "d"(uint32_t(g_xcr0 >> 32)) : "memory");
    else
        asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

} // namespace atoll_os
