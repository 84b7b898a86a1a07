// Tests for APIC id layout decoding from CPUID, with register dumps of real CPUs.
#include "kernel/arch/x86_64/cpu_topology.hpp"

#include "tests/host/acpi/acpi_test_support.hpp"

#include <sstream>

namespace atoll_os::test {
namespace {

// Answers CPUID from lines in the InstLatx64 dump format:
//   "CPUID 0000000B: 00000001-00000002-00000100-00000000 [SL 00]"
// Lines without [SL nn] answer every subleaf; unknown leaves answer zeros.
class FakeCpuid {
public:
    explicit FakeCpuid(const char* dump)
    {
        std::istringstream in(dump);
        std::string line;
        while (std::getline(in, line)) {
            Entry e{};
            unsigned sub = 0;
            const int n = std::sscanf(line.c_str(), " CPUID %x: %x-%x-%x-%x [SL %x]", &e.leaf, &e.r[0], &e.r[1],
                                      &e.r[2], &e.r[3], &sub);
            if (n < 5) {
                continue;
            }
            e.any_subleaf = n == 5;
            e.subleaf = sub;
            entries_.push_back(e);
        }
    }

    // Pretends the CPU stops at a lower basic leaf (as older CPUs or
    // hypervisors capping leaves do).
    FakeCpuid& cap_basic_leaf(uint32_t max)
    {
        for (Entry& e : entries_) {
            if (e.leaf == 0) {
                e.r[0] = max;
            }
        }
        return *this;
    }

    static void call(uint32_t leaf, uint32_t subleaf, uint32_t out[4], void* ctx)
    {
        const FakeCpuid& self = *static_cast<const FakeCpuid*>(ctx);
        out[0] = out[1] = out[2] = out[3] = 0;
        for (const Entry& e : self.entries_) {
            if (e.leaf == leaf && (e.any_subleaf || e.subleaf == subleaf)) {
                std::memcpy(out, e.r, sizeof e.r);
                return;
            }
        }
    }

    ApicIdLayout layout() { return decode_apic_id_layout(&FakeCpuid::call, this); }
    uint32_t apic_id() { return current_apic_id_from_cpuid(&FakeCpuid::call, this); }

private:
    struct Entry {
        uint32_t leaf;
        uint32_t subleaf;
        bool any_subleaf;
        uint32_t r[4];
    };
    std::vector<Entry> entries_;
};

void expect_layout(const ApicIdLayout& l, unsigned smt, unsigned core, unsigned l2, unsigned l3)
{
    EXPECT_EQ(l.smt_shift, smt);
    EXPECT_EQ(l.core_shift, core);
    EXPECT_EQ(l.l2_shift, l2);
    EXPECT_EQ(l.l3_shift, l3);
}

// Intel Xeon Silver 4108 (Skylake-SP, 8 cores / 16 threads), logical CPU #2.
// InstLatx64 GenuineIntel/GenuineIntel0050654_SkylakeXeon_CPUID8.txt.
constexpr const char* kXeonSilver4108 = R"(
CPUID 00000000: 00000016-756E6547-6C65746E-49656E69 [GenuineIntel]
CPUID 00000001: 00050654-02100800-7FFEFBFF-BFEBFBFF
CPUID 00000004: 1C004121-01C0003F-0000003F-00000000 [SL 00]
CPUID 00000004: 1C004122-01C0003F-0000003F-00000000 [SL 01]
CPUID 00000004: 1C004143-03C0003F-000003FF-00000000 [SL 02]
CPUID 00000004: 1C03C163-0280003F-00003FFF-00000004 [SL 03]
CPUID 0000000B: 00000001-00000002-00000100-00000002 [SL 00]
CPUID 0000000B: 00000004-00000010-00000201-00000002 [SL 01]
CPUID 80000000: 80000008-00000000-00000000-00000000
CPUID 80000001: 00000000-00000000-00000121-2C100000
CPUID 80000008: 0000302E-00000000-00000000-00000000
)";

// AMD EPYC 7713 (Zen 3 Milan, 64 cores, 8-core CCX sharing 32 MB L3), logical CPU #3.
// InstLatx64 AuthenticAMD/AuthenticAMD0A00F11_K19_Milan_CPUID1.txt.
constexpr const char* kEpyc7713 = R"(
CPUID 00000000: 00000010-68747541-444D4163-69746E65 [AuthenticAMD]
CPUID 00000001: 00A00F11-03800800-7EDA320B-178BFBFF
CPUID 0000000B: 00000001-00000002-00000100-00000003 [SL 00]
CPUID 0000000B: 00000007-00000080-00000201-00000003 [SL 01]
CPUID 80000000: 80000023-68747541-444D4163-69746E65 [AuthenticAMD]
CPUID 80000001: 00A00F11-40000000-75C237FF-2FD3FBFF
CPUID 80000008: 00003030-91BEF75F-0000707F-00010007
CPUID 8000001D: 00004121-01C0003F-0000003F-00000000 [SL 00]
CPUID 8000001D: 00004122-01C0003F-0000003F-00000000 [SL 01]
CPUID 8000001D: 00004143-01C0003F-000003FF-00000002 [SL 02]
CPUID 8000001D: 0003C163-03C0003F-00007FFF-00000001 [SL 03]
CPUID 8000001E: 00000003-00000101-00000000-00000000
)";

// QEMU 7.2 TCG "-cpu max -smp 8,sockets=2,cores=2,threads=2", boot CPU.
// Captured from a guest on this project's build machine. TCG's max CPU
// reports AuthenticAMD with no cache topology leaves (leaf 4 is zeroed for
// AMD, extended leaves stop at 0x8000000A).
constexpr const char* kQemuMaxTcg = R"(
CPUID 00000000: 0000000D-68747541-444D4163-69746E65
CPUID 00000001: 00060FB1-00040800-F6D8320B-1FCBFBFD
CPUID 00000004: 00000000-00000000-00000000-00000000
CPUID 0000000B: 00000001-00000002-00000100-00000000 [SL 00]
CPUID 0000000B: 00000002-00000004-00000201-00000000 [SL 01]
CPUID 0000000B: 00000000-00000000-00000002-00000000 [SL 02]
CPUID 80000000: 8000000A-68747541-444D4163-69746E65
CPUID 80000001: 00060FB1-00000000-00000077-EDD3FBFD
CPUID 80000008: 00003928-00000000-00002003-00000000
)";

TEST(CpuTopology, XeonSilver4108FromLeafB)
{
    FakeCpuid cpu(kXeonSilver4108);
    expect_layout(cpu.layout(), 1, 4, 1, 4);  // L3 shared by all 16 threads of the package
    EXPECT_EQ(cpu.apic_id(), 2u);
}

TEST(CpuTopology, XeonSilver4108LegacyLeaves1And4)
{
    FakeCpuid cpu(kXeonSilver4108);
    cpu.cap_basic_leaf(0xA);
    expect_layout(cpu.layout(), 1, 4, 1, 4);
    EXPECT_EQ(cpu.apic_id(), 2u);  // leaf 1 EBX[31:24]
}

TEST(CpuTopology, Epyc7713FromLeafB)
{
    FakeCpuid cpu(kEpyc7713);
    const ApicIdLayout l = cpu.layout();
    expect_layout(l, 1, 7, 1, 4);  // L3 per 8-core CCX = 16 threads
    EXPECT_EQ(cpu.apic_id(), 3u);

    const ApicIdParts p = decompose(0x13, l);
    EXPECT_EQ(p.package, 0u);
    EXPECT_EQ(p.core, 9u);
    EXPECT_EQ(p.thread, 1u);
    EXPECT_EQ(apic_id_group(0x0F, l.l3_shift), 0u);
    EXPECT_EQ(apic_id_group(0x10, l.l3_shift), 1u);  // next CCX
    EXPECT_EQ(apic_id_group(0x0E, l.l2_shift), apic_id_group(0x0F, l.l2_shift));
    EXPECT_NE(apic_id_group(0x0D, l.l2_shift), apic_id_group(0x0E, l.l2_shift));
}

TEST(CpuTopology, Epyc7713LegacyExtendedLeaves)
{
    FakeCpuid cpu(kEpyc7713);
    cpu.cap_basic_leaf(0xA);
    expect_layout(cpu.layout(), 1, 7, 1, 4);  // 0x80000008 ApicIdCoreIdSize, 0x8000001E threads/core
    EXPECT_EQ(cpu.apic_id(), 3u);
}

TEST(CpuTopology, QemuMaxTwoSocketsTwoCoresTwoThreads)
{
    FakeCpuid cpu(kQemuMaxTcg);
    const ApicIdLayout l = cpu.layout();
    // No cache leaves: L2 assumed per core, L3 per package.
    expect_layout(l, 1, 2, 1, 2);
    EXPECT_EQ(cpu.apic_id(), 0u);
    for (uint32_t id = 0; id < 8; ++id) {
        const ApicIdParts p = decompose(id, l);
        EXPECT_EQ(p.package, id >> 2);
        EXPECT_EQ(p.core, (id >> 1) & 1);
        EXPECT_EQ(p.thread, id & 1);
    }
}

TEST(CpuTopology, QemuMaxLegacyAmdLeaves)
{
    FakeCpuid cpu(kQemuMaxTcg);
    cpu.cap_basic_leaf(0xA);
    // No TOPOEXT, so no thread count: SMT bits cannot be told apart from core bits.
    expect_layout(cpu.layout(), 0, 2, 0, 2);
}

TEST(CpuTopology, Leaf1FPreferredOverB)
{
    FakeCpuid cpu(R"(
CPUID 00000000: 00000020-756E6547-6C65746E-49656E69
CPUID 00000001: 000806F8-00800800-7FFEFBFF-BFEBFBFF
CPUID 0000000B: 00000001-00000002-00000100-00000000 [SL 00]
CPUID 0000000B: 00000005-00000020-00000201-00000000 [SL 01]
CPUID 0000001F: 00000001-00000002-00000100-00000000 [SL 00]
CPUID 0000001F: 00000003-00000008-00000201-00000000 [SL 01]
CPUID 0000001F: 00000004-00000010-00000303-00000000 [SL 02]
CPUID 0000001F: 00000006-00000040-00000504-00000000 [SL 03]
CPUID 80000000: 80000008-00000000-00000000-00000000
)");
    const ApicIdLayout l = cpu.layout();
    EXPECT_EQ(l.smt_shift, 1);
    EXPECT_EQ(l.core_shift, 6);  // the die level's shift, not leaf 0xB's 5
}

TEST(CpuTopology, LegacyIntelWithoutHtt)
{
    FakeCpuid cpu(R"(
CPUID 00000000: 00000002-756E6547-6C65746E-49656E69
CPUID 00000001: 00000F29-00010800-00004400-AFEBFBFF
)");
    expect_layout(cpu.layout(), 0, 0, 0, 0);
    EXPECT_EQ(cpu.apic_id(), 0u);
}

int g_calls = 0;

void endless_levels(uint32_t leaf, uint32_t subleaf, uint32_t out[4], void*)
{
    ++g_calls;
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == 0) {
        out[0] = 0xB;
    } else if (leaf == 0xB) {
        out[0] = 31;
        out[1] = 1;
        out[2] = 0x200 | subleaf;
    }
}

TEST(CpuTopology, BrokenHypervisorLevelsAreBounded)
{
    g_calls = 0;
    const ApicIdLayout l = decode_apic_id_layout(&endless_levels, nullptr);
    EXPECT_EQ(l.core_shift, 31);
    EXPECT_LT(g_calls, 100);
}

TEST(CpuTopology, DecomposeHandlesExtremeShifts)
{
    const ApicIdLayout wide{32, 32, 32, 40};
    const ApicIdParts p = decompose(0xFFFFFFFF, wide);
    EXPECT_EQ(p.package, 0u);
    EXPECT_EQ(p.core, 0u);
    EXPECT_EQ(p.thread, 0xFFFFFFFFu);
    EXPECT_EQ(apic_id_group(0xFFFFFFFF, 40), 0u);

    const ApicIdLayout odd{9, 3, 0, 0};  // SMT wider than the package: clamped
    const ApicIdParts q = decompose(0x2D, odd);
    EXPECT_EQ(q.package, 5u);
    EXPECT_EQ(q.thread, 5u);
    EXPECT_EQ(q.core, 0u);
}

} // namespace
} // namespace atoll_os::test
