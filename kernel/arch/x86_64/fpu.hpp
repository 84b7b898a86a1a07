// User FPU/SSE/AVX state: saved with XSAVE (FXSAVE on CPUs without it) on
// every switch between threads. The kernel itself never touches these
// registers (it is built without SSE), so entries need no save.
#pragma once

#include <stddef.h>

namespace atoll_os {

// Enables the FPU state components this CPU has; once per core.
void fpu_init_core();
// Bytes a thread's save area needs (64-byte aligned).
size_t fpu_area_size();
// Puts the power-on state into a fresh area.
void fpu_init_area(void* area);
void fpu_save(void* area);
void fpu_restore(const void* area);

} // namespace atoll_os
