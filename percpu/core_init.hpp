// The steps every kernel instance takes once it runs on its own address
// space, boot core and APs alike.
#pragma once

#include <stdint.h>

#include "percpu/bootstrap_frames.hpp"

namespace atoll_os {

// Frame allocator over what bring-up left of the partition, heap, CPU
// protections, local APIC and timer, channel directory; ends with
// interrupts on. Panics with a reason if this core cannot run at all.
void init_core_instance(uint32_t core, const BootstrapFrames& bringup);

// SMEP/SMAP/UMIP/NX/global pages as far as the CPU has them; returns a
// short description for the log.
const char* enable_cpu_protections();

// A per-boot value peers check before trusting a directory page.
uint64_t directory_magic();

} // namespace atoll_os
