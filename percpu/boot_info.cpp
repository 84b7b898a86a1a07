// The boot-info page: one object in its own linker section, so every core
// can map exactly it, read-only.
#include "percpu/boot_info.hpp"

namespace atoll_os {
namespace {
[[gnu::section(".bootinfo")]] alignas(4096) BootInfo g_boot_info;
} // namespace

const BootInfo& boot_info() { return g_boot_info; }
BootInfo& boot_info_for_boot_core_setup() { return g_boot_info; }

} // namespace atoll_os
