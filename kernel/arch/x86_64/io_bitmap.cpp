// Loading tasks' I/O permission bitmaps into this core's TSS.
#include "kernel/arch/x86_64/io_bitmap.hpp"

#include "kernel/arch/x86_64/descriptors.hpp"

namespace atoll_os {

namespace detail {
const IoBitmap* g_loaded_io_bitmap;
}

namespace {

const IoBitmap* g_copied;  // whose bits the TSS holds (in force or not)
uint32_t g_dirty_bytes;    // the TSS bitmap is all ones from here on

} // namespace

void load_io_bitmap(const IoBitmap* map)
{
    detail::g_loaded_io_bitmap = map;
    if (!map) {
        tss_use_io_bitmap(false);
        return;
    }
    if (g_copied != map) {
        uint8_t* tss = tss_io_bitmap();
        __builtin_memcpy(tss, map->bits(), map->bytes);
        // Only what an earlier bitmap cleared needs setting again.
        if (g_dirty_bytes > map->bytes) __builtin_memset(tss + map->bytes, 0xff, g_dirty_bytes - map->bytes);
        g_dirty_bytes = map->bytes;
        g_copied = map;
    }
    tss_use_io_bitmap(true);
}

void retire_io_bitmap(const IoBitmap* map)
{
    if (!map) return;
    if (g_copied == map) g_copied = nullptr;
    if (detail::g_loaded_io_bitmap == map) load_io_bitmap(nullptr);
}

} // namespace atoll_os
