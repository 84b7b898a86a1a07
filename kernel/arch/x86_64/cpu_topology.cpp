// CPU topology: how APIC ids split into package/core/thread and which caches they share, from CPUID.
#include "kernel/arch/x86_64/cpu_topology.hpp"

namespace atoll_os {

namespace {

enum Reg { kEax = 0, kEbx = 1, kEcx = 2, kEdx = 3 };

constexpr uint32_t kLeafVendor = 0;
constexpr uint32_t kLeafFeatures = 1;
constexpr uint32_t kLeafCacheParams = 4;
constexpr uint32_t kLeafTopology = 0xB;
constexpr uint32_t kLeafTopologyV2 = 0x1F;
constexpr uint32_t kLeafExtMax = 0x80000000;
constexpr uint32_t kLeafExtFeatures = 0x80000001;
constexpr uint32_t kLeafAddressSizes = 0x80000008;
constexpr uint32_t kLeafAmdCacheTopology = 0x8000001D;
constexpr uint32_t kLeafAmdProcessorTopology = 0x8000001E;

// Real CPUs end their level lists after a handful of subleaves; the bound
// keeps a broken hypervisor from looping us forever.
constexpr uint32_t kMaxSubleaves = 16;

constexpr uint8_t kLevelSmt = 1;

struct Cpu {
    CpuidFn fn;
    void* ctx;
    uint32_t max_basic;
    uint32_t max_ext;
    bool amd_like;  // AMD or Hygon: extended topology leaves

    void query(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) const
    {
        r[0] = r[1] = r[2] = r[3] = 0;
        const bool ext = leaf >= kLeafExtMax;
        if ((ext && leaf <= max_ext) || (!ext && leaf <= max_basic)) {
            fn(leaf, subleaf, r, ctx);
        }
    }
};

bool vendor_is(const uint32_t r[4], const char (&name)[13])
{
    uint32_t words[3];
    __builtin_memcpy(words, name, 12);
    return r[kEbx] == words[0] && r[kEdx] == words[1] && r[kEcx] == words[2];
}

Cpu probe(CpuidFn fn, void* ctx)
{
    Cpu cpu{fn, ctx, 0, 0, false};
    uint32_t r[4] = {};
    fn(kLeafVendor, 0, r, ctx);
    cpu.max_basic = r[kEax];
    cpu.amd_like = vendor_is(r, "AuthenticAMD") || vendor_is(r, "HygonGenuine");
    uint32_t e[4] = {};
    fn(kLeafExtMax, 0, e, ctx);
    // Pre-extended CPUs echo basic-leaf data here instead of a leaf number.
    cpu.max_ext = (e[kEax] & 0xFFFF0000) == kLeafExtMax ? e[kEax] : 0;
    return cpu;
}

// Bits needed to number count items: ceil(log2(count)).
uint8_t bits_for(uint32_t count)
{
    uint8_t bits = 0;
    while (bits < 32 && (uint64_t{1} << bits) < count) {
        ++bits;
    }
    return bits;
}

uint8_t clamp_shift(uint32_t shift) { return static_cast<uint8_t>(shift > 32 ? 32 : shift); }

// Leaf 0x1F/0xB: each subleaf is one level (SMT, core, module, die...) with
// the shift to the next level's id; the last valid level's shift is the
// package shift. Returns false if the leaf enumerates no levels.
bool decode_extended_levels(const Cpu& cpu, uint32_t leaf, ApicIdLayout& layout)
{
    bool any = false;
    for (uint32_t sub = 0; sub < kMaxSubleaves; ++sub) {
        uint32_t r[4];
        cpu.query(leaf, sub, r);
        const uint8_t level_type = static_cast<uint8_t>((r[kEcx] >> 8) & 0xFF);
        if (level_type == 0 || r[kEbx] == 0) {
            break;
        }
        const uint8_t shift = clamp_shift(r[kEax] & 0x1F);
        if (level_type == kLevelSmt) {
            layout.smt_shift = shift;
        }
        layout.core_shift = shift;
        any = true;
    }
    if (any && layout.smt_shift > layout.core_shift) {
        layout.smt_shift = layout.core_shift;
    }
    return any;
}

bool has_leaf_with_levels(const Cpu& cpu, uint32_t leaf)
{
    uint32_t r[4];
    cpu.query(leaf, 0, r);
    return r[kEbx] != 0;
}

void decode_legacy_intel(const Cpu& cpu, ApicIdLayout& layout)
{
    uint32_t r[4];
    cpu.query(kLeafFeatures, 0, r);
    const bool htt = (r[kEdx] >> 28) & 1;
    const uint32_t logical = htt ? ((r[kEbx] >> 16) & 0xFF) : 1;
    cpu.query(kLeafCacheParams, 0, r);
    const uint32_t cores = (r[kEax] & 0x1F) != 0 ? ((r[kEax] >> 26) & 0x3F) + 1 : 1;
    layout.core_shift = bits_for(logical);
    const uint8_t core_bits = bits_for(cores);
    layout.smt_shift = layout.core_shift > core_bits ? static_cast<uint8_t>(layout.core_shift - core_bits) : 0;
}

void decode_legacy_amd(const Cpu& cpu, ApicIdLayout& layout)
{
    uint32_t r[4];
    cpu.query(kLeafAddressSizes, 0, r);
    // ApicIdCoreIdSize counts every logical processor below the package;
    // when zero the legacy rule is "enough bits for NC + 1".
    const uint32_t id_size = (r[kEcx] >> 12) & 0xF;
    layout.core_shift = id_size != 0 ? static_cast<uint8_t>(id_size) : bits_for((r[kEcx] & 0xFF) + 1);

    cpu.query(kLeafExtFeatures, 0, r);
    const bool topoext = (r[kEcx] >> 22) & 1;
    if (topoext) {
        cpu.query(kLeafAmdProcessorTopology, 0, r);
        const uint32_t threads_per_core = ((r[kEbx] >> 8) & 0xFF) + 1;
        layout.smt_shift = bits_for(threads_per_core);
    }
    if (layout.smt_shift > layout.core_shift) {
        layout.smt_shift = layout.core_shift;
    }
}

// Leaf 4 and 0x8000001D share a format: EAX[4:0] type (0 ends the list),
// EAX[7:5] level, EAX[25:14] logical processor ids sharing the cache - 1.
// Returns false if the leaf describes no caches.
bool decode_cache_leaf(const Cpu& cpu, uint32_t leaf, ApicIdLayout& layout)
{
    bool any = false;
    bool have_l2 = false;
    bool have_l3 = false;
    for (uint32_t sub = 0; sub < kMaxSubleaves; ++sub) {
        uint32_t r[4];
        cpu.query(leaf, sub, r);
        const uint32_t type = r[kEax] & 0x1F;
        if (type == 0) {
            break;
        }
        any = true;
        const uint32_t level = (r[kEax] >> 5) & 0x7;
        const uint8_t shift = bits_for(((r[kEax] >> 14) & 0xFFF) + 1);
        if (level == 2 && !have_l2) {
            layout.l2_shift = shift;
            have_l2 = true;
        } else if (level == 3 && !have_l3) {
            layout.l3_shift = shift;
            have_l3 = true;
        }
    }
    // A described hierarchy without an L3 shares nothing there: every thread
    // gets its own group rather than pretending the package shares one.
    if (any && !have_l2) {
        layout.l2_shift = 0;
    }
    if (any && !have_l3) {
        layout.l3_shift = 0;
    }
    return any;
}

} // namespace

ApicIdLayout decode_apic_id_layout(CpuidFn cpuid, void* ctx)
{
    ApicIdLayout layout{};
    const Cpu cpu = probe(cpuid, ctx);

    bool have_levels = false;
    if (has_leaf_with_levels(cpu, kLeafTopologyV2)) {
        have_levels = decode_extended_levels(cpu, kLeafTopologyV2, layout);
    }
    if (!have_levels && has_leaf_with_levels(cpu, kLeafTopology)) {
        layout = ApicIdLayout{};
        have_levels = decode_extended_levels(cpu, kLeafTopology, layout);
    }
    if (!have_levels) {
        layout = ApicIdLayout{};
        if (cpu.amd_like && cpu.max_ext >= kLeafAddressSizes) {
            decode_legacy_amd(cpu, layout);
        } else {
            decode_legacy_intel(cpu, layout);
        }
    }

    // Fallback guess, overwritten when the CPU describes its caches.
    layout.l2_shift = layout.smt_shift;
    layout.l3_shift = layout.core_shift;
    bool have_caches = false;
    if (cpu.amd_like) {
        uint32_t r[4];
        cpu.query(kLeafExtFeatures, 0, r);
        if ((r[kEcx] >> 22) & 1) {
            have_caches = decode_cache_leaf(cpu, kLeafAmdCacheTopology, layout);
        }
    }
    if (!have_caches) {
        decode_cache_leaf(cpu, kLeafCacheParams, layout);
    }
    return layout;
}

uint32_t apic_id_group(uint32_t apic_id, uint8_t shift)
{
    return shift >= 32 ? 0 : apic_id >> shift;
}

ApicIdParts decompose(uint32_t apic_id, const ApicIdLayout& layout)
{
    const uint8_t smt = layout.smt_shift < layout.core_shift ? layout.smt_shift : layout.core_shift;
    const uint32_t below_package = layout.core_shift >= 32 ? apic_id : apic_id & ((1u << layout.core_shift) - 1);
    const uint32_t thread = smt >= 32 ? apic_id : apic_id & ((1u << smt) - 1);
    return ApicIdParts{apic_id_group(apic_id, layout.core_shift), apic_id_group(below_package, smt), thread};
}

uint32_t current_apic_id_from_cpuid(CpuidFn cpuid, void* ctx)
{
    const Cpu cpu = probe(cpuid, ctx);
    uint32_t r[4];
    if (has_leaf_with_levels(cpu, kLeafTopology)) {
        cpu.query(kLeafTopology, 0, r);
        return r[kEdx];
    }
    cpu.query(kLeafFeatures, 0, r);
    return r[kEbx] >> 24;
}

} // namespace atoll_os
