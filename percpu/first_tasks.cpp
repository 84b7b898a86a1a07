// Starting the first user tasks from boot modules and ending the machine
// when they are done.
#include "percpu/first_tasks.hpp"

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/log.hpp"
#include "kernel/abi/program_env.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/frame.hpp"
#include "kernel/object/log_port.hpp"
#include "kernel/object/remote_ref.hpp"
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
#include "percpu/core_endpoints.hpp"
#include "percpu/core_tasks.hpp"
#include "percpu/exports.hpp"
#include "percpu/log_diag.hpp"
#include "percpu/messenger.hpp"
#include "percpu/remote_ipc.hpp"
#include "percpu/remote_map.hpp"

namespace atoll_os {
namespace {

constexpr uint8_t kFirstTaskPriority = 100;
constexpr uint64_t kFirstTaskQuota = 16ull << 20;
// The L4Re-style boot: sigma0 outranks the root task, which outranks (or
// equals) every program it starts.
constexpr uint8_t kSigma0Priority = 255, kRootPriority = 254;
constexpr uint64_t kRootQuota = 64ull << 20;       // kernel memory for the root task and what it starts
constexpr uint64_t kUserMemoryMax = 512ull << 20;  // sigma0's budget: the memory user space may have

uint32_t g_running;        // first tasks still running (on core 0: everywhere)
uint32_t g_local_running;  // core 0: those on core 0
int g_status;
Endpoint* g_boot_endpoint; // shared by the first tasks until the root task hands out real capabilities
uint64_t g_free_before, g_heap_before, g_channel_memory_before;
bool g_remembered;

// Channels (rings from other cores, page tables mapping theirs) last as
// long as the machine: what they take after the baseline is not a loss.
uint64_t channel_memory() { return remote_map_table_bytes() + messenger().ring_bytes(); }

void remember_memory()
{
    g_free_before = this_core().frames.free_bytes();
    g_heap_before = this_core().heap.bytes_in_use();
    g_channel_memory_before = channel_memory();
    g_remembered = true;
}

// After every task is gone, every frame, heap byte and quota byte they used
// must be back: objects accounted for, quotas consistent.
bool self_check()
{
    Kcb& k = this_core();
    LogDiag diag("selfcheck");
    bool frames_ok = k.frames.check(diag), heap_ok = k.heap.check(diag);
    uint64_t frames_lost = g_free_before - k.frames.free_bytes() - (channel_memory() - g_channel_memory_before);
    uint64_t heap_lost = k.heap.bytes_in_use() - g_heap_before;
    bool ok = frames_ok && heap_ok && frames_lost == 0 && heap_lost == 0 && k.boot_quota.used() == 0;
    if (ok) klog("selfcheck: ok (frames, heap and quotas back to their state before the first task)");
    else
        klog("selfcheck: FAILED: allocator %s, heap %s, %lu frame bytes and %lu heap bytes not returned, "
             "boot quota %lu bytes in use",
             frames_ok ? "consistent" : "INCONSISTENT", heap_ok ? "consistent" : "INCONSISTENT", frames_lost,
             heap_lost, k.boot_quota.used());
    if (!ok) klog("selfcheck: %u remote references and %u exports still here", RemoteRef::live(), exports().exported());
    return ok;
}

uint64_t frame_for_tables(void*) { return this_core().frames.alloc(0); }

// A module's name is the last path component of its first word
// ("build/user/hello arg" -> "hello").
const char* module_base_name(const BootModule& m, size_t& len)
{
    const char* start = m.name;
    const char* end = m.name;
    while (*end && *end != ' ') ++end;
    for (const char* p = m.name; p < end; ++p)
        if (*p == '/') start = p + 1;
    len = size_t(end - start);
    return start;
}

bool module_is(const BootModule& m, const char* name, size_t len)
{
    size_t n;
    const char* base = module_base_name(m, n);
    return n == len && __builtin_memcmp(base, name, len) == 0;
}

const BootModule* find_module(const char* name, size_t len)
{
    const BootInfo& info = boot_info();
    for (uint32_t i = 0; i < info.module_count; ++i)
        if (module_is(info.modules[i], name, len)) return &info.modules[i];
    return nullptr;
}

// Loads boot module `name` as a task the kernel watches; nullptr (logged,
// status set) when that fails.
Thread* start_first_task(const char* name, size_t len, uint8_t priority, uint64_t quota)
{
    const BootModule* m = find_module(name, len);
    if (!m) {
        klog("init: no boot module named %.*s", int(len), name);
        g_status = 1;
        return nullptr;
    }
    char task_name[Thread::kNameMax];
    size_t n = len < sizeof task_name - 1 ? len : sizeof task_name - 1;
    __builtin_memcpy(task_name, name, n);
    task_name[n] = '\0';
    Thread* t = nullptr;
    Status s = start_elf_task(phys_to_ptr<const uint8_t>(m->base), size_t(m->end - m->base), task_name, priority,
                              quota, t);
    if (!ok(s)) {
        klog("init: cannot start %s: %s", task_name, status_message(s));
        g_status = 1;
        return nullptr;
    }
    t->task->kernel_started = true;
    ++g_running;
    return t;
}

void copy_name(char* dst, size_t cap, const char* src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    __builtin_memcpy(dst, src, n);
    dst[n] = '\0';
}

// The root task's environment: its name, the machine, and a read-only
// frame for every boot module (including its own configuration).
[[nodiscard]] bool give_root_its_modules(Task& root, ProgramEnv& env)
{
    const BootInfo& info = boot_info();
    for (uint32_t i = 0; i < info.module_count && env.cap_count < ProgramEnv::kMaxCaps; ++i) {
        const BootModule& m = info.modules[i];
        uint64_t base = align_down(m.base), bytes = align_up(m.end) - base;
        Status s;
        Frame* f = bytes ? Frame::create_physical(this_core().boot_quota, base, bytes, s) : nullptr;
        uint64_t slot = rootslots::kFirstModule + env.cap_count;
        if (!f || !ok(root.caps().install(slot, f, rights::kRead | rights::kExecute | rights::kGrant, 0))) {
            klog("init: cannot give the root task module %s", m.name);
            if (f) f->destroy();
            return false;
        }
        ProgramEnv::NamedCap& c = env.caps[env.cap_count++];
        size_t len;
        const char* module_name = module_base_name(m, len);
        copy_name(c.name, sizeof c.name, module_name, len);
        c.slot = slot;
        c.bytes = m.end - m.base; // the module's own length, not the page-rounded frame
    }
    return true;
}

// Reports this core's last first task to core 0 once no other core holds
// a capability to an object here (they would still be using its memory).
int64_t g_last_code;
bool g_report_pending;

void report_when_drained()
{
    if (!g_report_pending || exports().exported() != 0) return;
    g_report_pending = false;
    bool clean = remote_ipc_release() && self_check();
    if (!messenger().send_value(0, Msg::kFirstTaskEnded, FirstTaskEnded{g_last_code, clean, true}))
        klog("init: cannot report to core 0");
}

// The last first task anywhere is gone: check and stop the machine.
void one_task_fewer()
{
    if (--g_running != 0) return;
    // Proxies for other cores' callers are kernel memory of this core too.
    if (!remote_ipc_release()) klog("selfcheck: proxies for other cores' callers are still in use");
    if (!self_check()) g_status = 1;
    shutdown_machine(g_status);
}

void on_task_exit(const char* name, int64_t code)
{
    klog("task %s exited with status %ld", name, code);
    if (this_core().core == 0) {
        if (code != 0) g_status = 1;
        if (--g_local_running == 0) drop_core_endpoints();
        return one_task_fewer();
    }
    // A first task core 0 placed here: report it; after the last one this
    // core lets go of the other cores' endpoints and, once every other
    // core has let go of its objects, checks its own memory.
    bool last = --g_running == 0;
    if (!last) {
        (void)messenger().send_value(0, Msg::kFirstTaskEnded, FirstTaskEnded{code, true, false});
        return;
    }
    g_last_code = code;
    // Releasing sends messages, and a full ring makes us serve our inbox
    // meanwhile (where the last export may drain): only then is the
    // report pending.
    drop_core_endpoints();
    g_report_pending = true;
    report_when_drained();
}

void on_first_task_ended(uint32_t, const ChannelMessage& msg)
{
    FirstTaskEnded e;
    __builtin_memcpy(&e, msg.payload, sizeof e);
    if (e.code != 0 || !e.selfcheck_ok) g_status = 1;
    one_task_fewer();
}

// Core 0 asked this core to run a first task, with core 0's boot endpoint.
void on_start_first_task(uint32_t from, const ChannelMessage& msg)
{
    StartFirstTask st;
    __builtin_memcpy(&st, msg.payload, sizeof st);
    if (g_running == 0) {
        first_task_work_begins();
        scheduler().set_task_exit_hook(on_task_exit);
        exports().on_drained(report_when_drained);
    }
    const BootModule& m = boot_info().modules[st.module < boot_info().module_count ? st.module : 0];
    size_t len;
    const char* base = module_base_name(m, len);
    Thread* t = start_first_task(base, len, st.priority, st.quota);
    Status s = t ? Status::kOk : Status::kInvalidArgument;
    RemoteRef* boot = t ? RemoteRef::import(this_core().boot_quota, from, st.boot_endpoint, s) : nullptr;
    if (t && boot && ok(t->task->caps().install(sys::kSlotSelf, t->task, rights::kAll, 0)) &&
        ok(t->task->caps().install(sys::kSlotBootEndpoint, boot, rights::kAll, 0))) {
        give_core_endpoints(t->task->caps());
        scheduler().make_ready(t);
        return;
    }
    klog("init: cannot start a first task here: %s", status_message(s));
    if (boot && !boot->refs()) boot->destroy();
    FirstTaskEnded e{-1, true, g_running == 0};
    (void)messenger().send_value(0, Msg::kFirstTaskEnded, e);
}

// "name@core": core 0 exports its boot endpoint to that core and asks it to
// start the module there.
bool start_on_core(const char* name, size_t len, uint32_t core)
{
    const BootModule* m = find_module(name, len);
    const BootInfo& info = boot_info();
    if (core >= info.topology.core_count) {
        klog("init: %.*s@%u: this machine has %u cores", int(len), name, core, info.topology.core_count);
        return false;
    }
    if (!m) {
        klog("init: no boot module named %.*s", int(len), name);
        return false;
    }
    StartFirstTask st{uint32_t(m - info.modules), kFirstTaskPriority, {}, {}, kFirstTaskQuota};
    if (!exports().add_holder(*g_boot_endpoint, core, st.boot_endpoint) ||
        !messenger().send_value(core, Msg::kStartFirstTask, st)) {
        klog("init: cannot reach core %u", core);
        return false;
    }
    ++g_running;
    return true;
}

} // namespace

void install_first_task_handlers()
{
    install_core_endpoint_handlers();
    messenger().set_handler(Msg::kStartFirstTask, on_start_first_task);
    messenger().set_handler(Msg::kFirstTaskEnded, on_first_task_ended);
}

bool first_tasks_here() { return g_running != 0; }

void first_task_work_begins()
{
    if (g_remembered || this_core().core == 0) return;
    map_boot_modules(); // before the baseline: its page tables stay
    remember_memory();
}

bool self_check_here() { return self_check(); }

void map_boot_modules()
{
    static bool mapped; // per core
    if (mapped) return;
    mapped = true;
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
    remember_memory();
    Status s;
    g_boot_endpoint = Endpoint::create(this_core().boot_quota, s);
    if (!g_boot_endpoint) {
        klog("init: no memory for the boot endpoint: %s", status_message(s));
        shutdown_machine(1);
    }
    // Which cores get first tasks: with more than one, each makes an
    // endpoint every first task can reach (core_endpoints.hpp).
    static CoreMask cores;
    cores = CoreMask{};
    for_each_list_item(init_list, [](const char* name, size_t len) {
        uint32_t core = 0;
        for (size_t i = 0; i < len; ++i)
            if (name[i] == '@')
                for (size_t j = i + 1; j < len && core < 100000; ++j) core = core * 10 + uint32_t(name[j] - '0');
        cores.add(core);
    });
    bool several = false;
    for (uint32_t c = 1; c < 256; ++c) several = several || cores.has(c);
    if (several && !exchange_core_endpoints(cores, g_boot_endpoint)) shutdown_machine(1);
    for_each_list_item(init_list, [](const char* name, size_t len) {
        size_t at = 0;
        while (at < len && name[at] != '@') ++at;
        if (at < len) {
            uint32_t core = 0;
            for (size_t i = at + 1; i < len && core < 100000; ++i) core = core * 10 + uint32_t(name[i] - '0');
            if (core != 0) {
                if (!start_on_core(name, at, core)) g_status = 1;
                return;
            }
            len = at;
        }
        Thread* t = start_first_task(name, len, kFirstTaskPriority, kFirstTaskQuota);
        if (!t) return;
        CapSpace& caps = t->task->caps();
        if (!ok(caps.install(sys::kSlotSelf, t->task, rights::kAll, 0)) ||
            !ok(caps.install(sys::kSlotBootEndpoint, g_boot_endpoint, rights::kAll, 0)))
            klog("init: %s: cannot install its first capabilities", t->task->name());
        give_core_endpoints(caps);
        ++g_local_running;
        scheduler().make_ready(t);
    });
    if (g_running == 0) shutdown_machine(g_status ? g_status : 1);
    klog("init: %u task(s) started", g_running);
    scheduler().resume();
}

bool has_root_modules() { return find_module("sigma0", 6) && find_module("root", 4); }

void run_sigma0_and_root()
{
    scheduler().set_task_exit_hook(on_task_exit);
    remember_memory();
    Kcb& k = this_core();
    // Half of what the kernel may spend at boot goes to user memory, a
    // quarter (at most kRootQuota) to the root task's kernel objects.
    const uint64_t available = k.boot_quota.limit() - k.boot_quota.used();
    const uint64_t root_quota = available / 4 < kRootQuota ? available / 4 : kRootQuota;
    uint64_t user_memory = available / 2 < kUserMemoryMax ? available / 2 : kUserMemoryMax;
    Status s;
    g_boot_endpoint = Endpoint::create(k.boot_quota, s);
    LogPort* log = g_boot_endpoint ? LogPort::create(k.boot_quota, s) : nullptr;
    Thread* sigma0 = log ? start_first_task("sigma0", 6, kSigma0Priority, user_memory) : nullptr;
    Thread* root = sigma0 ? start_first_task("root", 4, kRootPriority, root_quota) : nullptr;
    if (!root) {
        klog("init: cannot start sigma0 and the root task (see above)");
        shutdown_machine(1);
    }
    CapSpace& sc = sigma0->task->caps();
    CapSpace& rc = root->task->caps();
    // The root task's page faults go to sigma0, which maps memory into it.
    root->task->fault_endpoint = g_boot_endpoint;
    g_boot_endpoint->add_ref();
    ProgramEnv env{};
    env.magic = ProgramEnv::kMagic;
    copy_name(env.name, sizeof env.name, "root", 4);
    env.core = k.core;
    env.core_count = boot_info().topology.core_count;
    env.heap_base = kUserHeapBase;
    env.heap_bytes = user_memory;
    bool ok_caps = ok(sc.install(sys::kSlotSelf, sigma0->task, rights::kAll, 0)) &&
                   ok(sc.install(sys::kSlotBootEndpoint, g_boot_endpoint, rights::kAll, 0)) &&
                   ok(sc.install(rootslots::kLog, log, rights::kSend, 0)) &&
                   ok(sc.install(rootslots::kRootTask, root->task, rights::kCreate, 0)) &&
                   ok(rc.install(sys::kSlotSelf, root->task, rights::kAll, 0)) &&
                   ok(rc.install(sys::kSlotBootEndpoint, g_boot_endpoint, rights::kSend | rights::kGrant, 0)) &&
                   ok(rc.install(rootslots::kLog, log, rights::kSend, 0)) && give_root_its_modules(*root->task, env) &&
                   give_root_core_tasks(*root->task, env.core_count);
    // The machine, for the root task's placement planner: the same struct
    // the kernel built, so the plan it makes is the one the host tools make.
    const uint64_t topology_bytes = sizeof(Topology);
    env.topology_va = kTopologyVa;
    env.topology_bytes = topology_bytes;
    if (ok_caps)
        ok_caps = ok(root->task->map_anonymous(kProgramEnvVa, kPageSize, MapFlags{})) &&
                  ok(root->task->write_bytes(kProgramEnvVa, &env, sizeof env)) &&
                  ok(root->task->map_anonymous(kTopologyVa, align_up(topology_bytes), MapFlags{})) &&
                  ok(root->task->write_bytes(kTopologyVa, &boot_info().topology, topology_bytes));
    if (!ok_caps) {
        klog("init: cannot give sigma0 and the root task their capabilities");
        shutdown_machine(1);
    }
    klog("init: sigma0 (%lu MiB of user memory) and the root task started", user_memory >> 20);
    root->frame.rsi = kProgramEnvVa; // the runtime finds its environment there
    scheduler().make_ready(sigma0);
    scheduler().make_ready(root);
    scheduler().resume();
}

} // namespace atoll_os
