// Tests and shutdown across all cores, driven by core 0 over channels.
#include "percpu/coordinator.hpp"

#include "kernel/log.hpp"
#include "kernel/power.hpp"
#include "kernel/test/ktest.hpp"
#include "percpu/ap_start.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {

constexpr uint64_t kTestsTimeoutUs = 120'000'000;
constexpr uint64_t kShutdownTimeoutUs = 10'000'000;

bool g_tests_done[kMaxCores];
KtestTally g_remote_tally;
bool g_acked[kMaxCores];
ShutdownAck g_acks[kMaxCores];

void on_tests_done(uint32_t from, const ChannelMessage& msg)
{
    auto done = payload_as<TestsDone>(msg);
    g_remote_tally.passed += done.passed;
    g_remote_tally.failed += done.failed;
    g_tests_done[from] = true;
}

// The AP-to-AP channel counts, gathered at shutdown: row a = what AP a
// sent to / received from each core, as it answered round `g_round`.
uint32_t g_round, g_cores_n;
uint64_t* g_sent;     // [a * n + b]
uint64_t* g_received; // [a * n + b]
uint32_t g_fragments; // of this round

void on_counts_report(uint32_t from, const ChannelMessage& msg)
{
    auto r = payload_as<CountsReport>(msg);
    if (r.round != g_round || from >= g_cores_n) return; // an earlier round's, late
    for (uint32_t i = 0; i < r.count && i < 3 && r.first + i < g_cores_n; ++i) {
        g_sent[from * g_cores_n + r.first + i] = r.sent[i];
        g_received[from * g_cores_n + r.first + i] = r.received[i];
    }
    ++g_fragments;
}

template <class Fn> void for_each_online_ap(Fn fn);

// Every message one AP sent another arrived. Messages may still be in
// flight when a round's snapshots are taken, so a round that disagrees is
// asked again (the APs keep serving their rings meanwhile); only a
// disagreement that lasts is a loss.
bool ap_pairs_agree()
{
    constexpr uint32_t kRounds = 50;
    constexpr uint64_t kRoundTimeoutUs = 2'000'000, kPauseUs = 10'000;
    const uint32_t n = boot_info().topology.core_count;
    uint32_t aps = 0;
    for_each_online_ap([&](uint32_t) { ++aps; });
    if (aps < 2) return true;
    Kcb& k = this_core();
    g_cores_n = n;
    g_sent = static_cast<uint64_t*>(k.heap.alloc(n * n * sizeof(uint64_t)));
    g_received = static_cast<uint64_t*>(k.heap.alloc(n * n * sizeof(uint64_t)));
    if (!g_sent || !g_received) {
        klog("shutdown: no memory to check the channels between other cores");
        return true; // not checked, not failed: the AP <-> core 0 check still runs
    }
    Messenger& m = messenger();
    m.set_handler(Msg::kCountsReport, on_counts_report);
    const uint32_t per_ap = (n + 2) / 3;
    uint32_t bad = 0, first_a = 0, first_b = 0;
    for (g_round = 1; g_round <= kRounds; ++g_round) {
        g_fragments = 0;
        for_each_online_ap([&](uint32_t c) { (void)m.send_value(c, Msg::kCountsRequest, CountsRequest{g_round}); });
        if (!m.wait_until([&] { return g_fragments == aps * per_ap; }, kRoundTimeoutUs)) break;
        bad = 0;
        for_each_online_ap([&](uint32_t a) {
            for_each_online_ap([&](uint32_t b) {
                if (a == b || g_sent[a * n + b] == g_received[b * n + a]) return;
                if (bad++ == 0) first_a = a, first_b = b;
            });
        });
        if (bad == 0) break;
        (void)m.wait_until([] { return false; }, kPauseUs);
    }
    const bool agree = bad == 0 && g_round <= kRounds;
    if (agree) klog("shutdown: every pair of the %u other cores agrees on what it sent and received", aps);
    else if (bad)
        klog("shutdown: %u pair(s) of cores disagree: core %u sent core %u %lu, which got %lu", bad, first_a, first_b,
             g_sent[first_a * n + first_b], g_received[first_b * n + first_a]);
    else klog("shutdown: not every core reported its channel counts");
    k.heap.free(g_sent);
    k.heap.free(g_received);
    g_sent = g_received = nullptr;
    return agree;
}

void on_shutdown_ack(uint32_t from, const ChannelMessage& msg)
{
    g_acks[from] = payload_as<ShutdownAck>(msg);
    g_acked[from] = true;
}

template <class Fn> void for_each_online_ap(Fn fn)
{
    for (uint32_t c = 1; c < boot_info().topology.core_count; ++c)
        if (core_is_online(c)) fn(c);
}

bool all_online_aps(const bool* flags)
{
    bool all = true;
    for_each_online_ap([&](uint32_t c) { all = all && flags[c]; });
    return all;
}

} // namespace

uint32_t run_tests_everywhere(const char* filter)
{
    Messenger& m = messenger();
    m.set_handler(Msg::kTestsDone, on_tests_done);
    KtestTally local = run_ktests(filter, true);
    // One core at a time keeps each core's lines together in the log.
    for_each_online_ap([&](uint32_t c) {
        if (!m.send(c, Msg::kRunTests, nullptr, 0) ||
            !m.wait_until([c] { return g_tests_done[c]; }, kTestsTimeoutUs)) {
            klog("KTEST FAIL core_answers core=%u no test results within %lu s", c, kTestsTimeoutUs / 1000000);
            ++local.failed;
        }
    });
    uint32_t passed = local.passed + g_remote_tally.passed;
    uint32_t failed = local.failed + g_remote_tally.failed;
    klog("KTEST-SUMMARY passed=%u failed=%u", passed, failed);
    return failed;
}

void shutdown_machine(int status)
{
    if (!ap_pairs_agree()) status = status ? status : 1;
    Messenger& m = messenger();
    m.set_handler(Msg::kShutdownAck, on_shutdown_ack);
    for_each_online_ap([&](uint32_t c) { (void)m.send(c, Msg::kShutdown, nullptr, 0); });
    if (!m.wait_until([] { return all_online_aps(g_acked); }, kShutdownTimeoutUs)) {
        for_each_online_ap([&](uint32_t c) {
            if (!g_acked[c]) klog("shutdown: core %u did not acknowledge", c);
        });
        status = status ? status : 1;
    }
    // Every message each side sent arrived: the AP's counts (taken before
    // its ack) plus the ack itself equal what we received, and vice versa.
    for_each_online_ap([&](uint32_t c) {
        if (!g_acked[c]) return;
        const ShutdownAck& a = g_acks[c];
        if (a.selfcheck == 2) {
            klog("shutdown: core %u's self-check failed (above)", c);
            status = status ? status : 1;
        }
        if (a.sent_to_boot_core + 1 != m.received_from(c) || a.received_from_boot_core != m.sent_to(c)) {
            klog("shutdown: channel counts disagree with core %u: it sent %lu, we got %lu; we sent %lu, it got %lu",
                 c, a.sent_to_boot_core + 1, m.received_from(c), m.sent_to(c), a.received_from_boot_core);
            status = status ? status : 1;
        }
    });
    klog("atoll: shutdown status=%d", status);
    machine_exit(status);
}

} // namespace atoll_os
