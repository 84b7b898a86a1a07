// Core tasks: request, token, and the root task's capabilities.
#include "percpu/core_tasks.hpp"

#include "kernel/abi/program_env.hpp"
#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/log.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "percpu/exports.hpp"
#include "percpu/first_tasks.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {

constexpr uint32_t kNone = ~0u;
constexpr uint64_t kAnswerTimeoutUs = 5'000'000;

// Per core, like every kernel global: core 0 collects the answers here.
ExportToken g_tokens[rootslots::kMaxCoreTasks];
uint32_t g_answers;
bool g_made;

// Half of what this core's kernel may still spend on tasks goes to the
// work the root task places here.
void on_request(uint32_t from, const ChannelMessage&)
{
    first_task_work_begins(); // the memory baseline for this core's self-check
    Kcb& k = this_core();
    CoreEndpointToken answer{k.core, 0, {kNone, 0, 0}};
    uint64_t quota = (k.boot_quota.limit() - k.boot_quota.used()) / 2;
    if (quota > sys::kMaxTaskQuota) quota = sys::kMaxTaskQuota;
    char name[Task::kNameMax];
    (void)format(name, sizeof name, "core%u", k.core);
    Status s;
    Task* task = Task::create(k.boot_quota, name, quota, s);
    if (task && !exports().add_holder(*task, from, answer.token)) {
        s = Status::kNoMemory;
        task->exit(0); // never ran, unnamed: frees itself
    }
    if (!ok(s)) klog("init: cannot make this core's core task: %s", status_message(s));
    g_made = ok(s);
    (void)messenger().send_value(from, Msg::kCoreTaskToken, answer);
}

void on_token(uint32_t, const ChannelMessage& msg)
{
    CoreEndpointToken t;
    __builtin_memcpy(&t, msg.payload, sizeof t);
    if (t.core < rootslots::kMaxCoreTasks) g_tokens[t.core] = t.token;
    ++g_answers;
}

} // namespace

void install_core_task_handlers()
{
    messenger().set_handler(Msg::kCoreTaskRequest, on_request);
    messenger().set_handler(Msg::kCoreTaskToken, on_token);
}

bool core_task_here() { return g_made; }

bool give_root_core_tasks(Task& root, uint32_t core_count)
{
    const uint32_t cores = core_count < rootslots::kMaxCoreTasks ? core_count : rootslots::kMaxCoreTasks;
    CapSpace& caps = root.caps();
    bool all = ok(caps.install(rootslots::kCoreTasks, &root, rights::kCreate, 0));
    uint32_t asked = 0;
    for (uint32_t c = 1; c < cores; ++c) {
        g_tokens[c] = ExportToken{kNone, 0, 0};
        if (messenger().send(c, Msg::kCoreTaskRequest, nullptr, 0)) ++asked;
    }
    if (!messenger().wait_until([asked] { return g_answers >= asked; }, kAnswerTimeoutUs)) {
        klog("init: only %u of %u cores made their core task", g_answers, asked);
        all = false;
    }
    for (uint32_t c = 1; c < cores; ++c) {
        if (g_tokens[c].index == kNone) {
            all = false;
            continue;
        }
        Status s;
        RemoteRef* r = RemoteRef::import(this_core().boot_quota, c, g_tokens[c], s);
        if (r) s = caps.install(rootslots::kCoreTasks + c, r, rights::kCreate, 0);
        if (!ok(s)) {
            klog("init: cannot give the root task core %u's core task: %s", c, status_message(s));
            if (r && r->refs() == 0) r->destroy();
            all = false;
        }
    }
    return all;
}

} // namespace atoll_os
