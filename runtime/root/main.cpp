// The root task (Moe's role in L4Re): reads the boot configuration, loads
// each program into a task of its own, gives it the capabilities the
// configuration names, pages its memory in, and reports how each ended.
// When every program that is not a server has ended, it stops the servers
// (the console last, so it can still print), hands sigma0 its notice, and
// exits with 0 only if every program did.
#include "bench/atoll/measure.hpp"
#include "kernel/abi/program_env.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/rights.hpp"
#include "runtime/lib/boot_config.hpp"
#include "runtime/lib/ini.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/message_text.hpp"
#include "runtime/lib/user/root_client.hpp"
#include "runtime/lib/user/sigma0_client.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "runtime/root/child.hpp"
#include "runtime/root/loader.hpp"
#include "runtime/root/pager.hpp"
#include "runtime/root/placement.hpp"
#include "runtime/root/root_log.hpp"

using namespace atoll_os;
using namespace atoll_os::root;
using atoll_os::user::kNoSlot;

namespace {

// On the heap, which sigma0 pages in as we touch it (about 150 KiB).
bootcfg::Config& g_config = *new bootcfg::Config;
Child* const g_children = new Child[bootcfg::kMaxPrograms];
uint32_t g_child_count;
Services g_services;
uint32_t g_cores[bootcfg::kMaxPrograms]; // the planner's core for each program
bool g_failed;
uint64_t g_tsc_hz;

bool ends_with(const char* s, const char* suffix)
{
    size_t n = __builtin_strlen(s), m = __builtin_strlen(suffix);
    return n >= m && ini::same(s + n - m, suffix);
}

// The configuration is the first boot module whose name ends in ".cfg".
bool read_config(const ProgramEnv& env)
{
    for (uint32_t i = 0; i < env.cap_count; ++i) {
        if (!ends_with(env.caps[i].name, ".cfg")) continue;
        const uint8_t* text;
        uint64_t size;
        if (!find_module(env, env.caps[i].name, text, size)) return false;
        LogDiag diag;
        if (!bootcfg::parse(reinterpret_cast<const char*>(text), size, env.caps[i].name, env.core_count, g_config,
                            diag)) {
            log("%s: rejected (%u error%s above); starting nothing", env.caps[i].name, diag.reports,
                diag.reports == 1 ? "" : "s");
            return false;
        }
        log("%s: %u program%s", env.caps[i].name, g_config.program_count, g_config.program_count == 1 ? "" : "s");
        g_services.config_file = env.caps[i].name;
        return place_programs(reinterpret_cast<const char*>(text), size, env.caps[i].name, env, g_cores);
    }
    log("no boot configuration (a boot module named *.cfg); starting nothing");
    return false;
}

bool make_objects()
{
    g_services.pager = user::alloc_slot();
    g_services.exits = user::alloc_slot();
    g_services.console = kNoSlot;
    if (!ok(user::endpoint_create(sys::kSlotSelf, g_services.pager)) ||
        !ok(user::notification_create(sys::kSlotSelf, g_services.exits)) ||
        !ok(user::notification_bind(g_services.exits)))
        return false;
    for (uint32_t i = 0; i < g_config.program_count; ++i) {
        const bootcfg::Program& p = g_config.programs[i];
        g_children[i] = Child{};
        g_children[i].config = &p;
        g_children[i].id = i + 1; // badge 0 is ours
        g_children[i].allowance = p.memory_bytes;
        g_children[i].planned_core = g_cores[i];
        g_children[i].task_slot = g_children[i].pager_slot = kNoSlot;
        if (!p.serves[0]) continue;
        Services::Server& s = g_services.servers[g_services.server_count++];
        s.name = p.serves;
        s.slot = user::alloc_slot();
        s.child = i;
        // On the server's core: a thread receives only where its endpoint lives.
        const uint64_t payer = core_slot(*user::program_env(), g_cores[i]);
        Status made = payer == kNoSlot ? Status::kInvalidArgument : user::endpoint_create(payer, s.slot);
        if (!ok(made)) {
            log("%s: no endpoint for its service %s on core %u: %s", p.name, p.serves, g_cores[i],
                status_message(made));
            return false;
        }
        if (ini::same(p.serves, "console")) g_services.console = s.slot;
    }
    g_child_count = g_config.program_count;
    return true;
}

Child* child_by_badge(uint64_t badge)
{
    return badge >= 1 && badge <= g_child_count ? &g_children[badge - 1] : nullptr;
}

bool is_server(const Child& c) { return c.config->serves[0] != '\0'; }

// A server that is gone (or never started) leaves no endpoint behind:
// revoking and deleting ours takes its clients' copies too, and whoever
// waits on it hears kDead instead of waiting forever.
void close_service(const Child& c)
{
    if (!is_server(c)) return;
    for (uint32_t i = 0; i < g_services.server_count; ++i) {
        Services::Server& s = g_services.servers[i];
        if (&g_children[s.child] != &c || s.slot == kNoSlot) continue;
        (void)user::cap_revoke(s.slot);
        (void)user::cap_delete(s.slot);
        if (s.slot == g_services.console) g_services.console = kNoSlot;
        s.slot = kNoSlot;
    }
}

// Starting a program (its task, capabilities, environment page and first
// thread, on its core; its pages come later, as it touches them) is one of
// the suite's figures: one BENCH line per program, named by where it runs
// relative to us. Under -icount the ticks are instructions.
void report_start(const Child& c, uint64_t ticks)
{
    char name[96];
    const char* where = c.planned_core == user::program_env()->core ? "same_core" : "cross_core";
    (void)format(name, sizeof name, "atoll/program_start/%s/%s", where, c.config->name);
    bench::Samples one;
    one.add(ticks);
    bench::report(name, g_tsc_hz, 1, one);
}

void start(Child& c)
{
    const uint64_t t0 = bench::tsc();
    if (!start_child(c, g_services, *user::program_env())) {
        c.state = Child::State::kEnded;
        g_failed = true;
        close_service(c);
        return;
    }
    report_start(c, bench::tsc() - t0);
}

// The console first, so every other program's lines have somewhere to go
// (it asks us who each writer is: kWhoIs).
void start_all()
{
    Child* console = nullptr;
    for (uint32_t i = 0; i < g_services.server_count; ++i)
        if (g_services.servers[i].slot == g_services.console) console = &g_children[g_services.servers[i].child];
    if (console) start(*console);
    for (uint32_t i = 0; i < g_child_count; ++i)
        if (&g_children[i] != console) start(g_children[i]);
}

void ended(Child& c, const user::TaskInfo& info)
{
    c.state = Child::State::kEnded;
    c.exit_code = info.exit_code;
    c.killed = info.state == sys::kTaskKilled;
    if (c.killed) log("%s was killed", c.config->name);
    else log("%s exited with status %ld", c.config->name, info.exit_code);
    if (c.killed || info.exit_code != 0) g_failed = true;
    (void)user::cap_delete(c.task_slot);
    (void)user::cap_delete(c.pager_slot);
    user::free_slot(c.task_slot);
    user::free_slot(c.pager_slot);
    release_memory(c);
    close_service(c);
}

void check_exits(uint64_t bits)
{
    for (uint32_t i = 0; i < g_child_count; ++i) {
        Child& c = g_children[i];
        if (c.state != Child::State::kRunning || !(bits & (uint64_t(1) << (c.id % 64)))) continue;
        user::TaskInfo info;
        if (ok(user::task_info(c.task_slot, info)) && info.state != sys::kTaskRunning) ended(c, info);
    }
}

// A request or fault from program `c`; returns the reply and its flags.
user::Message serve(Child& c, uint64_t info, const user::Message& m, uint64_t& flags, uint64_t& given)
{
    flags = 0;
    if (info & sys::kFaultMessage) {
        bool resume = resolve_fault(c, m.w[0], m.w[1], m.w[2]);
        return user::Message{{resume ? sys::kFaultResume : sys::kFaultKill, 0, 0, 0}};
    }
    if (m.w[0] == user::root_ops::kWhoIs) {
        const Child* who = child_by_badge(m.w[1]);
        if (!who) return user::Message{{uint64_t(Status::kInvalidArgument), 0, 0, 0}};
        const char* name = who->config->name;
        size_t len = __builtin_strlen(name);
        user::Message r{{uint64_t(Status::kOk), who->planned_core, len, 0}}; // where it runs
        flags = ipcflags::with_length(user::pack_text(r, *user::main_utcb, 4, name, len));
        return r;
    }
    if (m.w[0] == user::root_ops::kFrame) {
        uint64_t slot = user::alloc_slot();
        if (slot == kNoSlot || !give_frame(c, m.w[1], slot)) {
            user::free_slot(slot);
            return user::Message{{uint64_t(Status::kQuotaExceeded), 0, 0, 0}};
        }
        user::main_utcb->transfer_slot = slot;
        user::main_utcb->transfer_rights = rights::kAll;
        flags = ipcflags::kTransferCap;
        given = slot;
        return user::Message{{uint64_t(Status::kOk), 0, 0, 0}};
    }
    return user::Message{{uint64_t(Status::kInvalidArgument), 0, 0, 0}};
}

uint32_t running(bool servers)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g_child_count; ++i)
        n += g_children[i].state == Child::State::kRunning && is_server(g_children[i]) == servers;
    return n;
}

// Asks the next running server to stop: the console only when it is the
// last. A non-blocking send, so a server that is busy (or waiting for us
// to page it in) cannot deadlock us; we try again on the next round.
void stop_next_server()
{
    for (int console_pass = 0; console_pass < 2; ++console_pass) {
        for (uint32_t i = 0; i < g_services.server_count; ++i) {
            const Services::Server& s = g_services.servers[i];
            bool is_console = s.slot == g_services.console;
            if (g_children[s.child].state != Child::State::kRunning || is_console != (console_pass == 1)) continue;
            if (is_console && running(true) > 1) return;
            (void)user::send(s.slot, user::Message{{user::kOpStop, 0, 0, 0}}, user::kNonBlocking);
            return;
        }
    }
}

void serve_until_done()
{
    user::Message m{};
    uint64_t badge = 0, info = 0, flags = 0, given = kNoSlot;
    bool have_reply = false;
    while (running(false) + running(true) > 0) {
        bool stopping = running(false) == 0;
        if (stopping) stop_next_server();
        uint64_t wait = stopping ? user::kNonBlocking : 0;
        Status s = have_reply ? user::ipc_syscall(sys::kReplyReceive, g_services.pager, flags | wait, m, &badge, &info)
                              : user::ipc_syscall(sys::kReceive, g_services.pager, wait, m, &badge, &info);
        have_reply = false;
        if (given != kNoSlot) { // the program holds its copy now
            (void)user::cap_delete(given);
            user::free_slot(given);
            given = kNoSlot;
        }
        if (s == Status::kWouldBlock) {
            (void)user::sleep_micros(1000); // a server is busy; give it time to finish
            continue;
        }
        if (!ok(s)) {
            log("receive failed: %s", status_message(s));
            g_failed = true;
            return;
        }
        if (badge == sys::kNotificationBadge) {
            check_exits(m.w[0]);
            continue;
        }
        Child* c = child_by_badge(badge);
        if (!c) continue;
        m = serve(*c, info, m, flags, given);
        have_reply = true;
    }
}

} // namespace

int main()
{
    const ProgramEnv* env = user::program_env();
    if (!env) return 2; // not started as the root task: nothing to read
    log("started on core %u of %u, %u boot modules", env->core, env->core_count, env->cap_count);
    for (uint32_t c = 0; c < env->core_count && c < rootslots::kMaxCoreTasks; ++c)
        user::reserve_slot(rootslots::kCoreTasks + c); // the kernel's core tasks (loader.hpp: core_slot)
    if (read_config(*env) && make_objects()) {
        g_tsc_hz = user::tsc_frequency();
        log("bench: TSC %lu Hz", g_tsc_hz); // what ./atoll bench turns program-start ticks into ns with
        start_all();
        serve_until_done();
    } else {
        g_failed = true;
    }
    log("all programs ended%s", g_failed ? "; some did not succeed" : ", every one successfully");
    (void)user::Sigma0Client(sys::kSlotBootEndpoint).stop();
    return g_failed ? 1 : 0;
}
