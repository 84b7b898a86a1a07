// The virtual and low-physical layout every kernel instance shares by
// convention (each builds its own page tables to it).
#pragma once

#include <stdint.h>

namespace atoll_os {

// Higher-half kernel image: VA = physical + kKernelVma.
inline constexpr uint64_t kKernelVma = 0xffffffff80000000ull;

// Physmap window: VA = physical + kPhysmapBase. Each core maps only its own
// partition here, plus channel pages it mapped on purpose (map_remote_*), so
// a stray pointer into another core's memory faults instead of corrupting it.
inline constexpr uint64_t kPhysmapBase = 0xffff800000000000ull;

inline uint64_t phys_to_virt(uint64_t phys) { return phys + kPhysmapBase; }
template <class T> T* phys_to_ptr(uint64_t phys) { return reinterpret_cast<T*>(phys_to_virt(phys)); }

// Low memory the boot core keeps for starting other cores (excluded from
// every partition): the real-mode trampoline and a pool for the page tables
// an AP uses until it has built its own.
inline constexpr uint64_t kTrampolinePhys = 0x8000;    // SIPI vector 0x08
inline constexpr uint64_t kBringupPoolPhys = 0x10000;
inline constexpr uint64_t kBringupPoolEnd = 0x80000;
inline constexpr uint64_t kLowMemoryEnd = 0x100000;   // all of it reserved

// Each core's bring-up stack sits at the top of its partition's first range.
inline constexpr uint64_t kBringupStackSize = 16384;
// The first page of each partition holds that core's channel directory.
inline constexpr uint64_t kDirectoryBytes = 4096;

} // namespace atoll_os
