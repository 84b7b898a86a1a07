// The core-endpoint exchange: request, tokens, table.
#include "percpu/core_endpoints.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/cap/rights.hpp"
#include "kernel/log.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/remote_ref.hpp"
#include "percpu/exports.hpp"
#include "percpu/first_tasks.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {

constexpr uint32_t kMax = uint32_t(sys::kMaxCoreEndpoints);
constexpr uint32_t kNone = ~0u;
constexpr uint64_t kAnswerTimeoutUs = 5'000'000;

// Per core, like every kernel global.
CoreMask g_cores;                 // cores taking part
Endpoint* g_own;                  // this core's endpoint
KObject* g_objects[kMax];         // per core: our endpoint, or our RemoteRef to theirs (one reference each)
ExportToken g_tokens[kMax];       // core 0 collects them here
uint32_t g_answers;

// Makes (once) and exports our endpoint to every other core in the set.
bool make_own(const CoreMask& cores, ExportToken& token)
{
    Kcb& k = this_core();
    Status s;
    if (!g_own) g_own = Endpoint::create(k.boot_quota, s);
    if (!g_own) return false;
    token = ExportToken{kNone, 0, 0};
    for (uint32_t c = 0; c < kMax; ++c)
        if (cores.has(c) && c != k.core && !exports().add_holder(*g_own, c, token)) return false;
    return true;
}

void on_request(uint32_t from, const ChannelMessage& msg)
{
    CoreEndpointRequest r;
    __builtin_memcpy(&r, msg.payload, sizeof r);
    first_task_work_begins();
    CoreEndpointToken t{this_core().core, 0, {kNone, 0, 0}};
    g_cores = CoreMask{{r.cores[0], r.cores[1], r.cores[2], r.cores[3]}};
    if (!make_own(g_cores, t.token)) klog("init: no memory for this core's endpoint");
    (void)messenger().send_value(from, Msg::kCoreEndpointToken, t);
}

void on_token(uint32_t, const ChannelMessage& msg)
{
    CoreEndpointToken t;
    __builtin_memcpy(&t, msg.payload, sizeof t);
    if (t.core < kMax) g_tokens[t.core] = t.token;
    ++g_answers;
}

// Our endpoint in our own slot, a RemoteRef for every other core's.
void import_all()
{
    const uint32_t self = this_core().core;
    for (uint32_t c = 0; c < kMax; ++c) {
        if (!g_cores.has(c) || g_objects[c]) continue;
        KObject* o = nullptr;
        Status s = Status::kOk;
        if (c == self) o = g_own;
        else if (g_tokens[c].index != kNone) o = RemoteRef::import(this_core().boot_quota, c, g_tokens[c], s);
        if (!o) {
            klog("init: no capability to core %u's endpoint: %s", c, status_message(s));
            continue;
        }
        o->add_ref();
        g_objects[c] = o;
    }
}

void on_table(uint32_t, const ChannelMessage& msg)
{
    CoreEndpointTable t;
    __builtin_memcpy(&t, msg.payload, sizeof t);
    for (uint32_t i = 0; i < t.count && i < 6 && t.first + i < kMax; ++i) g_tokens[t.first + i] = t.tokens[i];
    if (t.first + t.count >= kMax) import_all(); // the last fragment
}

} // namespace

void install_core_endpoint_handlers()
{
    Messenger& m = messenger();
    m.set_handler(Msg::kCoreEndpointRequest, on_request);
    m.set_handler(Msg::kCoreEndpointToken, on_token);
    m.set_handler(Msg::kCoreEndpointTable, on_table);
}

bool exchange_core_endpoints(const CoreMask& cores, Endpoint* own)
{
    g_cores = cores;
    uint32_t asked = 0;
    for (uint32_t c = 0; c < kMax; ++c) g_tokens[c] = ExportToken{kNone, 0, 0};
    if (cores.has(0)) {
        g_own = own; // the boot endpoint doubles as core 0's
        if (!make_own(cores, g_tokens[0])) return false;
    }
    CoreEndpointRequest r{{cores.bits[0], cores.bits[1], cores.bits[2], cores.bits[3]}};
    for (uint32_t c = 1; c < kMax; ++c) {
        if (!cores.has(c)) continue;
        if (!messenger().send_value(c, Msg::kCoreEndpointRequest, r)) return false;
        ++asked;
    }
    if (!messenger().wait_until([asked] { return g_answers == asked; }, kAnswerTimeoutUs)) {
        klog("init: only %u of %u cores made their endpoint", g_answers, asked);
        return false;
    }
    for (uint32_t c = 1; c < kMax; ++c) {
        if (!cores.has(c)) continue;
        for (uint32_t first = 0; first < kMax; first += 6) {
            CoreEndpointTable t{uint16_t(first), uint16_t(kMax - first < 6 ? kMax - first : 6), 0, {}};
            for (uint32_t i = 0; i < t.count; ++i) t.tokens[i] = g_tokens[first + i];
            if (!messenger().send_value(c, Msg::kCoreEndpointTable, t)) return false;
        }
    }
    if (cores.has(0)) import_all();
    return true;
}

void give_core_endpoints(CapSpace& caps)
{
    for (uint32_t c = 0; c < kMax; ++c)
        if (g_objects[c] && !ok(caps.install(sys::kSlotCoreEndpoints + c, g_objects[c], rights::kAll, 0)))
            klog("init: cannot give a first task core %u's endpoint", c);
}

void drop_core_endpoints()
{
    for (uint32_t c = 0; c < kMax; ++c) {
        if (KObject* o = g_objects[c]) {
            g_objects[c] = nullptr;
            release_object(o);
        }
    }
    g_own = nullptr; // its capabilities and the export keep it while they exist
}

} // namespace atoll_os
