// Tests and shutdown across all cores, driven by core 0 over channels.
#include "percpu/coordinator.hpp"

#include "kernel/log.hpp"
#include "kernel/power.hpp"
#include "kernel/test/ktest.hpp"
#include "percpu/ap_start.hpp"
#include "percpu/boot_info.hpp"
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
