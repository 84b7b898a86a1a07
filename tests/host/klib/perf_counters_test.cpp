// Which performance counters a core starts, from CPUID alone: the fixed
// counters on Intel perfmon v2+, the core extension on AMD, none otherwise
// (TCG and PMU-less hypervisors report no perfmon, and must get none).
#include <gtest/gtest.h>

#include "kernel/arch/x86_64/perf_counters.hpp"

using atoll_os::choose_counters;
using atoll_os::CounterCpuid;
namespace sys = atoll_os::sys;

namespace {

// Leaf 0xA as a Skylake server reports it: version 4, 4 general counters of
// 48 bits, all seven architectural events, 3 fixed counters of 48 bits.
CounterCpuid skylake()
{
    CounterCpuid c{};
    c.intel = true;
    c.max_leaf = 0x16;
    c.leaf_a_eax = 4 | (4u << 8) | (48u << 16) | (7u << 24);
    c.leaf_a_edx = 3 | (48u << 5);
    return c;
}

TEST(PerfCounters, IntelWithFixedCountersUsesThem)
{
    auto choice = choose_counters(skylake());
    EXPECT_EQ(choice.kind, sys::kCountersIntelFixed);
    EXPECT_EQ(choice.width, 48);
}

TEST(PerfCounters, IntelVersionOneHasNoFixedCountersToUse)
{
    CounterCpuid c = skylake();
    c.leaf_a_eax = (c.leaf_a_eax & ~0xffu) | 1;
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
}

TEST(PerfCounters, IntelNeedsBothInstructionsAndCycles)
{
    CounterCpuid c = skylake();
    c.leaf_a_edx = 1 | (48u << 5); // only fixed counter 0
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
    c.leaf_a_ecx = 0x3; // version 5 lists counters 0 and 1 in the mask
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersIntelFixed);
}

TEST(PerfCounters, IntelWithoutLeafTenOrWithZeroWidthHasNone)
{
    CounterCpuid c = skylake();
    c.max_leaf = 0x9;
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
    c = skylake();
    c.leaf_a_edx = 3; // a hypervisor's zeroed width
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
    c = CounterCpuid{};
    c.intel = true;
    c.max_leaf = 0xd; // leaf 0xA all zero: perfmon hidden
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
}

TEST(PerfCounters, AmdUsesTheCoreExtensionOnly)
{
    CounterCpuid c{};
    c.amd = true;
    c.max_leaf = 0x10;
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone); // legacy counters only: not guessed at
    c.ext1_ecx = 1u << 23;
    auto choice = choose_counters(c);
    EXPECT_EQ(choice.kind, sys::kCountersAmdCore);
    EXPECT_EQ(choice.width, 48);
}

TEST(PerfCounters, OtherVendorsGetNone)
{
    CounterCpuid c = skylake();
    c.intel = false; // e.g. a hypervisor's own vendor string with Intel-like leaves
    c.ext1_ecx = 1u << 23;
    EXPECT_EQ(choose_counters(c).kind, sys::kCountersNone);
}

} // namespace
