// I/O permission bitmaps: which ports a task's threads may use in user mode,
// and this core's TSS, which holds the bitmap in force.
//
// Each task with ports has its own bitmap, only as long as its highest port
// needs. The TSS has room for a full one; switching to a task with ports
// copies its bitmap in (unless the TSS still holds that very bitmap) and
// points the TSS at it, switching to a task without ports points the TSS
// past its limit. The scheduler does this only when it changes address
// space, and only when the incoming task's bitmap is not the one in force,
// so between tasks that have no ports the cost is one compare.
#pragma once

#include <stdint.h>

namespace atoll_os {

struct IoBitmap {
    static constexpr uint32_t kMaxBytes = 65536 / 8;
    uint32_t bytes; // bits() covers ports [0, 8 * bytes); later ports are denied
    // A set bit denies the port, as the CPU reads it.
    uint8_t* bits() { return reinterpret_cast<uint8_t*>(this + 1); }
    const uint8_t* bits() const { return reinterpret_cast<const uint8_t*>(this + 1); }
};

namespace detail {
extern const IoBitmap* g_loaded_io_bitmap; // per core
}

// The bitmap in force on this core (nullptr: no port allowed).
inline const IoBitmap* loaded_io_bitmap() { return detail::g_loaded_io_bitmap; }
// Puts `map` in force (nullptr: none).
void load_io_bitmap(const IoBitmap* map);
// `map` changed or is about to be freed: the TSS must not keep a stale
// copy, and if it was in force nothing is until the next load.
void retire_io_bitmap(const IoBitmap* map);

} // namespace atoll_os
