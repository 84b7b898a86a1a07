// Building tasks' I/O permission bitmaps from their I/O port mappings.
#include "kernel/object/task_io.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io_bitmap.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/task.hpp"

namespace atoll_os {
namespace {

uint64_t charge_for(uint32_t bytes) { return sizeof(IoBitmap) + bytes; }

void free_bitmap(Task& task)
{
    IoBitmap* map = task.io_bitmap;
    if (!map) return;
    retire_io_bitmap(map);
    task.io_bitmap = nullptr;
    const uint64_t charged = charge_for(map->bytes);
    this_core().heap.free(map);
    task.quota().release(charged);
}

// The task's own threads run on it: what they may do changes now, not at
// the next switch. (The mask leaves out a PCID in CR3's low bits.)
void apply_if_loaded(Task& task)
{
    constexpr uint64_t kCr3Address = 0x000ffffffffff000ull;
    if (task.pml4_phys() && (cpu::read_cr3() & kCr3Address) == task.pml4_phys()) load_io_bitmap(task.io_bitmap);
}

} // namespace

Status reserve_io_bitmap(Task& task, uint16_t last_port)
{
    const uint32_t bytes = uint32_t(last_port) / 8 + 1;
    if (task.io_bitmap && task.io_bitmap->bytes >= bytes) return Status::kOk;
    if (!task.quota().charge(charge_for(bytes))) return Status::kQuotaExceeded;
    void* mem = this_core().heap.alloc(charge_for(bytes));
    if (!mem) {
        task.quota().release(charge_for(bytes));
        return Status::kNoMemory;
    }
    auto* map = new (mem) IoBitmap{bytes};
    __builtin_memset(map->bits(), 0xff, bytes);
    if (task.io_bitmap) __builtin_memcpy(map->bits(), task.io_bitmap->bits(), task.io_bitmap->bytes); // ports it had
    free_bitmap(task);
    task.io_bitmap = map;
    apply_if_loaded(task);
    return Status::kOk;
}

void rebuild_io_bitmap(Task& task)
{
    IoBitmap* map = task.io_bitmap;
    if (!map) return;
    bool any = false;
    __builtin_memset(map->bits(), 0xff, map->bytes);
    for (const Mapping* m = task.mappings; m; m = m->task_next) {
        if (!is_io_mapping(*m)) continue;
        any = true;
        const uint32_t first = io_mapping_first_port(*m);
        for (uint32_t port = first; port < first + m->bytes && port / 8 < map->bytes; ++port)
            map->bits()[port / 8] &= uint8_t(~(1u << (port % 8)));
    }
    if (!any) free_bitmap(task);
    else retire_io_bitmap(map);
    apply_if_loaded(task);
}

} // namespace atoll_os
