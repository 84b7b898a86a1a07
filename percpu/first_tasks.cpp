// Starting the first user tasks from boot modules and ending the machine
// when they are done.
#include "percpu/first_tasks.hpp"

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/log.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/task.hpp"
#include "kernel/object/elf_task.hpp"
#include "kernel/object/thread.hpp"
#include "kernel/sched/scheduler.hpp"
#include "percpu/address_space.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/cmdline.hpp"
#include "percpu/coordinator.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/log_diag.hpp"

namespace atoll_os {
namespace {

constexpr uint8_t kFirstTaskPriority = 100;
constexpr uint64_t kFirstTaskQuota = 16ull << 20;

uint32_t g_running;
int g_status;
Endpoint* g_boot_endpoint; // shared by the first tasks until the root task hands out real capabilities
uint64_t g_free_before, g_heap_before;

// After every task is gone, every frame, heap byte and quota byte they used
// must be back: objects accounted for, quotas consistent.
bool self_check()
{
    Kcb& k = this_core();
    LogDiag diag("selfcheck");
    bool frames_ok = k.frames.check(diag), heap_ok = k.heap.check(diag);
    uint64_t frames_lost = g_free_before - k.frames.free_bytes();
    uint64_t heap_lost = k.heap.bytes_in_use() - g_heap_before;
    bool ok = frames_ok && heap_ok && frames_lost == 0 && heap_lost == 0 && k.boot_quota.used() == 0;
    if (ok) klog("selfcheck: ok (frames, heap and quotas back to their state before the first task)");
    else
        klog("selfcheck: FAILED: allocator %s, heap %s, %lu frame bytes and %lu heap bytes not returned, "
             "boot quota %lu bytes in use",
             frames_ok ? "consistent" : "INCONSISTENT", heap_ok ? "consistent" : "INCONSISTENT", frames_lost,
             heap_lost, k.boot_quota.used());
    return ok;
}

uint64_t frame_for_tables(void*) { return this_core().frames.alloc(0); }

// A module's name is the last path component of its first word
// ("build/user/hello arg" -> "hello").
bool module_is(const BootModule& m, const char* name, size_t len)
{
    const char* start = m.name;
    const char* end = m.name;
    while (*end && *end != ' ') ++end;
    for (const char* p = m.name; p < end; ++p)
        if (*p == '/') start = p + 1;
    return size_t(end - start) == len && __builtin_memcmp(start, name, len) == 0;
}

const BootModule* find_module(const char* name, size_t len)
{
    const BootInfo& info = boot_info();
    for (uint32_t i = 0; i < info.module_count; ++i)
        if (module_is(info.modules[i], name, len)) return &info.modules[i];
    return nullptr;
}

void on_task_exit(const char* name, int64_t code)
{
    klog("task %s exited with status %ld", name, code);
    if (code != 0) g_status = 1;
    if (--g_running == 0) {
        if (!self_check()) g_status = 1;
        shutdown_machine(g_status);
    }
}

} // namespace

void map_boot_modules()
{
    const BootInfo& info = boot_info();
    PageTables pt(this_core().pml4_phys, kPhysmapBase, cpu_has_1g_pages());
    FrameSource frames{frame_for_tables, nullptr};
    for (uint32_t i = 0; i < info.module_count; ++i) {
        uint64_t base = align_down(info.modules[i].base), end = align_up(info.modules[i].end);
        if (!pt.map(phys_to_virt(base), base, end - base, MapFlags{}, frames))
            klog("boot: cannot map module %s", info.modules[i].name);
    }
}

void run_first_tasks(const char* init_list)
{
    scheduler().set_task_exit_hook(on_task_exit);
    g_free_before = this_core().frames.free_bytes();
    g_heap_before = this_core().heap.bytes_in_use();
    Status s;
    g_boot_endpoint = Endpoint::create(this_core().boot_quota, s);
    if (!g_boot_endpoint) {
        klog("init: no memory for the boot endpoint: %s", status_message(s));
        shutdown_machine(1);
    }
    for_each_list_item(init_list, [](const char* name, size_t len) {
        const BootModule* m = find_module(name, len);
        if (!m) {
            klog("init: no boot module named %.*s", int(len), name);
            g_status = 1;
            return;
        }
        char task_name[Thread::kNameMax];
        size_t n = len < sizeof task_name - 1 ? len : sizeof task_name - 1;
        __builtin_memcpy(task_name, name, n);
        task_name[n] = '\0';
        Thread* t = nullptr;
        Status s = start_elf_task(phys_to_ptr<const uint8_t>(m->base), size_t(m->end - m->base), task_name,
                                  kFirstTaskPriority, kFirstTaskQuota, t);
        if (!ok(s)) {
            klog("init: cannot start %s: %s", task_name, status_message(s));
            g_status = 1;
            return;
        }
        t->task->kernel_started = true;
        CapSpace& caps = t->task->caps();
        if (!ok(caps.install(sys::kSlotSelf, t->task, rights::kAll, 0)) ||
            !ok(caps.install(sys::kSlotBootEndpoint, g_boot_endpoint, rights::kAll, 0)))
            klog("init: %s: cannot install its first capabilities", task_name);
        ++g_running;
        scheduler().make_ready(t);
    });
    if (g_running == 0) shutdown_machine(g_status ? g_status : 1);
    klog("init: %u task(s) started", g_running);
    scheduler().resume();
}

} // namespace atoll_os
