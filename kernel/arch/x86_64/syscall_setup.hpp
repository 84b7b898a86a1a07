// Per-core SYSCALL/SYSRET set-up and user-mode FPU, once per core.
#pragma once

namespace atoll_os {

void user_mode_init_core(bool smap_enabled);

} // namespace atoll_os
