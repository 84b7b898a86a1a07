// Tests for routing device interrupt lines through MADT interrupt source overrides.
#include "kernel/acpi/irq_route.hpp"

#include <gtest/gtest.h>

namespace atoll_os::test {
namespace {

using acpi::IrqRoute;
using acpi::MadtInterrupts;
using acpi::route_irq_line;

// What QEMU's q35 MADT says: the timer on GSI 2, IRQs 5, 9, 10 and 11 level.
MadtInterrupts qemu_like()
{
    MadtInterrupts t{};
    t.ioapic_count = 1;
    t.ioapics[0] = acpi::MadtIoApic{0, 0xFEC00000u, 0};
    t.isa[0] = acpi::IsaOverride{true, 0, 2};
    for (unsigned i : {5u, 9u, 10u, 11u}) t.isa[i] = acpi::IsaOverride{true, acpi::kIntiActiveHigh | acpi::kIntiLevel, i};
    return t;
}

TEST(IrqRoute, IsaIrqWithoutOverrideIsIdentityEdgeHigh)
{
    IrqRoute r{};
    ASSERT_TRUE(route_irq_line(qemu_like(), 8, r));
    EXPECT_EQ(r.gsi, 8u);
    EXPECT_FALSE(r.active_low);
    EXPECT_FALSE(r.level);
}

TEST(IrqRoute, OverrideMovesTheTimer)
{
    IrqRoute r{};
    ASSERT_TRUE(route_irq_line(qemu_like(), 0, r));
    EXPECT_EQ(r.gsi, 2u);
    EXPECT_FALSE(r.active_low);
    EXPECT_FALSE(r.level);
}

TEST(IrqRoute, OverrideFlagsApply)
{
    IrqRoute r{};
    ASSERT_TRUE(route_irq_line(qemu_like(), 9, r));
    EXPECT_EQ(r.gsi, 9u);
    EXPECT_FALSE(r.active_low);
    EXPECT_TRUE(r.level);

    MadtInterrupts t{};
    t.isa[3] = acpi::IsaOverride{true, acpi::kIntiActiveLow, 3};  // trigger conforms: ISA's edge
    ASSERT_TRUE(route_irq_line(t, 3, r));
    EXPECT_TRUE(r.active_low);
    EXPECT_FALSE(r.level);
}

TEST(IrqRoute, IsaIrqWhoseGsiWasTakenHasNone)
{
    IrqRoute r{};
    EXPECT_FALSE(route_irq_line(qemu_like(), 2, r));  // the cascade: GSI 2 is the timer's
}

TEST(IrqRoute, GsiAboveIsaIsPciStyle)
{
    IrqRoute r{};
    ASSERT_TRUE(route_irq_line(qemu_like(), 16, r));
    EXPECT_EQ(r.gsi, 16u);
    EXPECT_TRUE(r.active_low);
    EXPECT_TRUE(r.level);
}

TEST(IrqRoute, IsaIrqMovedAboveSixteenKeepsItsFlags)
{
    MadtInterrupts t{};
    t.isa[9] = acpi::IsaOverride{true, acpi::kIntiActiveHigh | acpi::kIntiLevel, 20};
    IrqRoute r{};
    ASSERT_TRUE(route_irq_line(t, 9, r));
    EXPECT_EQ(r.gsi, 20u);
    ASSERT_TRUE(route_irq_line(t, 20, r));
    EXPECT_EQ(r.gsi, 20u);
    EXPECT_FALSE(r.active_low);
    EXPECT_TRUE(r.level);
}

TEST(IrqRoute, LinesBeyondThirtyTwoBitsAreRefused)
{
    IrqRoute r{};
    EXPECT_FALSE(route_irq_line(qemu_like(), 1ull << 32, r));
    EXPECT_FALSE(route_irq_line(qemu_like(), ~0ull, r));
}

} // namespace
} // namespace atoll_os::test
