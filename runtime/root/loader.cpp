// Program loading: task, capabilities, environment, first thread.
#include "runtime/root/loader.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/rights.hpp"
#include "runtime/lib/ini.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/devices.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "runtime/root/pager.hpp"
#include "runtime/root/root_log.hpp"

namespace atoll_os::root {
namespace {

constexpr uint64_t kChildKernelQuota = 2ull << 20; // page tables, threads, objects it creates
constexpr uint64_t kModuleWindowBase = 0x0000100000000000ull;
constexpr uint64_t kModuleWindowStride = 1ull << 32;

uint64_t g_module_window[ProgramEnv::kMaxCaps]; // 0: not mapped yet

void copy_string(char* dst, size_t cap, const char* src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; ++i) dst[i] = src[i];
    dst[i] = '\0';
}

// Gives `c` a copy of our `from` as the next capability of its environment.
bool give(Child& c, ProgramEnv& env, const char* name, uint64_t from, uint32_t rights, uint64_t badge)
{
    if (env.cap_count == ProgramEnv::kMaxCaps) return false;
    uint64_t slot = 2 + env.cap_count; // 0: its task, 1: unused (the kernel's test programs' boot endpoint)
    Status s = user::cap_give(from, c.task_slot, slot, rights, badge);
    if (!ok(s)) {
        log("%s: cannot give it capability %s: %s", c.config->name, name, status_message(s));
        return false;
    }
    ProgramEnv::NamedCap& cap = env.caps[env.cap_count++];
    copy_string(cap.name, sizeof cap.name, name);
    cap.slot = slot;
    cap.bytes = 0;
    return true;
}

// Makes an object in one of our slots with `make`, gives it to `c` under
// `name`, and lets go of our copy (the program's is derived from it and
// stays; our revoke of its task would not reach it, its exit does).
template <class Make> bool give_made(Child& c, ProgramEnv& env, const char* name, uint32_t rights, Make make)
{
    uint64_t slot = user::alloc_slot();
    Status s = slot == user::kNoSlot ? Status::kNoMemory : make(slot);
    bool given = ok(s) && give(c, env, name, slot, rights, 0);
    if (!ok(s)) log("%s: cannot make its capability %s: %s", c.config->name, name, status_message(s));
    if (slot != user::kNoSlot) {
        (void)user::cap_delete(slot);
        user::free_slot(slot);
    }
    return given;
}

// irq:N gives an Irq for line N ("irq_N": acknowledge through it) bound to
// a notification the program waits on ("irq_N_note"), both paid from the
// program's own quota.
bool give_irq(Child& c, ProgramEnv& env, uint32_t line, const char* file)
{
    char irq_name[ProgramEnv::kNameMax], note_name[ProgramEnv::kNameMax];
    (void)format(irq_name, sizeof irq_name, "irq_%u", line);
    (void)format(note_name, sizeof note_name, "irq_%u_note", line);
    uint64_t note = user::alloc_slot();
    Status s = note == user::kNoSlot ? Status::kNoMemory : user::notification_create(c.task_slot, note);
    bool given = ok(s) && give(c, env, note_name, note, rights::kReceive, 0) &&
                 give_made(c, env, irq_name, rights::kReceive, [&](uint64_t slot) {
                     return user::irq_create(c.task_slot, slot, line, note, 1);
                 });
    if (!ok(s)) log("%s:%u: %s: no notification for irq:%u: %s", file, c.config->line, c.config->name, line,
                    status_message(s));
    if (note != user::kNoSlot) {
        (void)user::cap_delete(note);
        user::free_slot(note);
    }
    return given;
}

// ioport:A-B gives an IoPort ("ioport_A_B", hexadecimal) the program
// enables for itself.
bool give_io_ports(Child& c, ProgramEnv& env, uint32_t first, uint32_t last, const char* file)
{
    char name[ProgramEnv::kNameMax];
    (void)format(name, sizeof name, "ioport_%x_%x", first, last);
    bool given = give_made(c, env, name, rights::kRead | rights::kWrite, [&](uint64_t slot) {
        return user::io_port_create(c.task_slot, slot, first, last);
    });
    if (!given) log("%s:%u: %s: ioport:%#x-%#x refused", file, c.config->line, c.config->name, first, last);
    return given;
}

bool give_requested(Child& c, ProgramEnv& env, const Services& services)
{
    const uint64_t badge = c.id;
    if (services.console != user::kNoSlot && !ini::same(c.config->serves, "console") &&
        !give(c, env, "console", services.console, rights::kSend, badge))
        return false;
    if (c.config->serves[0]) {
        const Services::Server* own = services.server(c.config->serves);
        if (!own || !give(c, env, "serve", own->slot, rights::kSend | rights::kReceive | rights::kGrant, 0))
            return false;
    }
    // The console asks us who wrote each line.
    if (ini::same(c.config->serves, "console") && !give(c, env, "root", services.pager, rights::kSend, badge))
        return false;
    for (uint32_t i = 0; i < c.config->cap_count; ++i) {
        const bootcfg::CapRequest& r = c.config->caps[i];
        bool given = false;
        switch (r.kind) {
        case bootcfg::CapKind::kLog: given = give(c, env, "log", rootslots::kLog, rights::kSend, 0); break;
        case bootcfg::CapKind::kMemory: given = give(c, env, "memory", services.pager, rights::kSend, badge); break;
        case bootcfg::CapKind::kEndpoint: {
            const Services::Server* server = services.server(r.name);
            given = server && give(c, env, r.name, server->slot, rights::kSend | rights::kGrant, badge);
            break;
        }
        case bootcfg::CapKind::kIrq:
        case bootcfg::CapKind::kIoPorts:
            if (env.core != user::program_env()->core) {
                log("%s:%u: %s: irq: and ioport: need the program on core %u, where device interrupts arrive; "
                    "it is placed on core %u",
                    services.config_file, c.config->line, c.config->name, user::program_env()->core, env.core);
                break;
            }
            given = r.kind == bootcfg::CapKind::kIrq ? give_irq(c, env, r.a, services.config_file)
                                                     : give_io_ports(c, env, r.a, r.b, services.config_file);
            break;
        }
        if (!given) return false;
    }
    return true;
}

// The environment page: built in a page of the program's own memory, then
// mapped read-only where its start-up code looks.
bool write_env(Child& c, const ProgramEnv& env)
{
    uint64_t frame, page;
    uint8_t* contents;
    if (!take_page(c, frame, page, contents)) return false;
    __builtin_memcpy(contents, &env, sizeof env);
    Status s = user::map(c.task_slot, frame, kProgramEnvVa, 0, page, 1);
    if (!ok(s)) log("%s: cannot map its environment: %s", c.config->name, status_message(s));
    return ok(s);
}

// Undoes a start that failed half way. Revoking our task capability first
// takes back the one it holds to itself, so nothing keeps it alive.
bool abandon(Child& c)
{
    if (c.task_slot != user::kNoSlot) {
        (void)user::cap_revoke(c.task_slot);
        (void)user::cap_delete(c.task_slot);
        user::free_slot(c.task_slot);
    }
    if (c.pager_slot != user::kNoSlot) {
        (void)user::cap_delete(c.pager_slot);
        user::free_slot(c.pager_slot);
    }
    c.task_slot = c.pager_slot = user::kNoSlot;
    release_memory(c);
    return false;
}

} // namespace

const Services::Server* Services::server(const char* name) const
{
    for (uint32_t i = 0; i < server_count; ++i)
        if (ini::same(servers[i].name, name)) return &servers[i];
    return nullptr;
}

bool find_module(const ProgramEnv& env, const char* name, const uint8_t*& bytes, uint64_t& size)
{
    for (uint32_t i = 0; i < env.cap_count; ++i) {
        if (!ini::same(env.caps[i].name, name)) continue;
        if (!g_module_window[i]) {
            uint64_t va = kModuleWindowBase + i * kModuleWindowStride;
            Status s = user::map(sys::kSlotSelf, env.caps[i].slot, va, 0);
            if (!ok(s)) {
                log("cannot map boot module %s: %s", name, status_message(s));
                return false;
            }
            g_module_window[i] = va;
        }
        bytes = reinterpret_cast<const uint8_t*>(g_module_window[i]);
        size = env.caps[i].bytes;
        return true;
    }
    return false;
}

uint64_t core_slot(const ProgramEnv& env, uint32_t core)
{
    if (core == env.core) return sys::kSlotSelf;
    if (core >= rootslots::kMaxCoreTasks || core >= env.core_count) return user::kNoSlot;
    user::TaskInfo info;
    return ok(user::task_info(rootslots::kCoreTasks + core, info)) ? rootslots::kCoreTasks + core : user::kNoSlot;
}

bool start_child(Child& c, const Services& services, const ProgramEnv& root_env)
{
    const bootcfg::Program& p = *c.config;
    if (!find_module(root_env, p.image, c.image, c.image_bytes)) {
        log("%s:%u: program %s: there is no boot module %s", services.config_file, p.line, p.name, p.image);
        return false;
    }
    LogDiag diag;
    if (!elf::plan_load(c.image, c.image_bytes, sys::kUserLimit, c.plan, diag)) {
        log("%s: boot module %s is not a loadable Atoll program", p.name, p.image);
        return false;
    }
    const uint64_t payer = core_slot(root_env, c.planned_core);
    if (payer == user::kNoSlot) {
        log("%s:%u: program %s: the kernel offers no way to create work on core %u", services.config_file, p.line,
            p.name, c.planned_core);
        return false;
    }
    c.task_slot = user::alloc_slot();
    c.pager_slot = user::alloc_slot();
    // Made through core `planned_core`'s core task, the task lives there:
    // every call below on c.task_slot is done by that core's kernel.
    Status s = c.task_slot == user::kNoSlot || c.pager_slot == user::kNoSlot
                   ? Status::kNoMemory
                   : user::task_create(payer, c.task_slot, kChildKernelQuota, p.name, __builtin_strlen(p.name));
    if (ok(s)) s = user::cap_copy(services.pager, c.pager_slot, rights::kSend, c.id);
    if (ok(s)) s = user::task_set_fault_handler(c.task_slot, c.pager_slot);
    if (!ok(s)) {
        log("%s: cannot create its task: %s", p.name, status_message(s));
        return abandon(c);
    }
    ProgramEnv env{};
    env.magic = ProgramEnv::kMagic;
    copy_string(env.name, sizeof env.name, p.name);
    env.core = c.planned_core;
    env.core_count = root_env.core_count;
    env.heap_base = kUserHeapBase;
    env.heap_bytes = c.allowance;
    copy_string(env.args, sizeof env.args, p.args);
    if (!give_requested(c, env, services) || !write_env(c, env)) return abandon(c);
    // Its own capability last: a task that holds one to itself never ends
    // unless it runs, and one on another core we cannot revoke it from.
    s = user::cap_give(c.task_slot, c.task_slot, sys::kSlotSelf, rights::kAll);
    if (ok(s)) s = user::task_watch(c.task_slot, services.exits, uint64_t(1) << (c.id % 64));
    if (ok(s)) s = user::thread_start(c.task_slot, c.plan.entry, kMainStackTop, p.priority, kProgramEnvVa);
    if (!ok(s)) {
        log("%s: cannot start its thread: %s", p.name, status_message(s));
        return abandon(c);
    }
    c.state = Child::State::kRunning;
    return true;
}

} // namespace atoll_os::root
