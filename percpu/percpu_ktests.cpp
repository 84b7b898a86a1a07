// In-kernel tests of what makes each core an independent instance: private
// data, private memory, its own allocators, and the channels between them.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/test/ktest.hpp"
#include "percpu/address_space.hpp"
#include "percpu/ap_start.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/messages.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {

// Initialized data: every core must start from the template's value.
uint64_t g_private_probe = 0x5eed0000c0ffee00ull;

bool in_partition(const Partition& p, uint64_t phys, uint64_t len = 1)
{
    for (uint32_t i = 0; i < p.count; ++i)
        if (phys >= p.ranges[i].base && phys + len <= p.ranges[i].end) return true;
    return false;
}

PageTables own_tables() { return PageTables(this_core().pml4_phys, kPhysmapBase, cpu_has_1g_pages()); }

uint64_t g_pong_seq[kMaxCores];
uint64_t g_pong_bad;

void on_pong(uint32_t from, const ChannelMessage& msg)
{
    Ping p = payload_as<Ping>(msg);
    if (p.check != ~(p.seq * 0x9e3779b97f4a7c15ull) || p.seq != g_pong_seq[from] + 1) ++g_pong_bad;
    g_pong_seq[from] = p.seq;
}

} // namespace

KTEST(data_is_private_to_each_core, KtestScope::kEveryCore)
{
    // Core 0 runs first and leaves its mark; every AP must still see the
    // template value, proving .data is not shared.
    KEXPECT_EQ(g_private_probe, 0x5eed0000c0ffee00ull);
    g_private_probe = this_core().core;
    uint64_t phys;
    KEXPECT(own_tables().translate(reinterpret_cast<uint64_t>(&g_private_probe), phys));
    uint32_t core = this_core().core;
    const BootInfo& info = boot_info();
    if (core == 0) {
        KEXPECT(phys >= info.image.boot_core_private.base && phys < info.image.boot_core_private.end);
    } else {
        KEXPECT(in_partition(info.partitions[core], phys));
    }
}

KTEST(other_cores_memory_is_unmapped, KtestScope::kEveryCore)
{
    // Sample every other core's partition: only its channel directory and a
    // ring it granted us may be mapped here; everything else must fault.
    const BootInfo& info = boot_info();
    const uint32_t self = this_core().core;
    PageTables pt = own_tables();
    for (uint32_t c = 0; c < info.topology.core_count; ++c) {
        if (c == self) continue;
        uint64_t dir_phys, ring = 0;
        if (pt.translate(phys_to_virt(info.directory_phys[c]), dir_phys))
            ring = phys_to_ptr<const ChannelDirectory>(info.directory_phys[c])->grant[self].load();
        const Partition& p = info.partitions[c];
        for (uint32_t r = 0; r < p.count; ++r) {
            for (uint64_t a = p.ranges[r].base; a < p.ranges[r].end; a += 256 * 1024) {
                bool channel_page = a == info.directory_phys[c] || (ring && a >= ring && a < ring + 2 * kPageSize);
                uint64_t phys;
                if (!channel_page && pt.translate(phys_to_virt(a), phys)) {
                    ktest_ctx.fail("core %u's memory at %#lx is mapped on core %u", c, a, self);
                    return;
                }
            }
        }
    }
}

KTEST(frames_come_from_own_partition, KtestScope::kEveryCore)
{
    Kcb& k = this_core();
    const Partition& part = boot_info().partitions[k.core];
    uint64_t before = k.frames.free_bytes();
    uint64_t got[24];
    for (unsigned i = 0; i < 24; ++i) {
        unsigned order = i % 4;
        got[i] = k.frames.alloc(order);
        KEXPECT(got[i] != 0);
        KEXPECT(in_partition(part, got[i], kPageSize << order));
        KEXPECT_EQ(got[i] % (kPageSize << order), 0u);
        *phys_to_ptr<uint64_t>(got[i]) = got[i]; // writable through our physmap
    }
    for (unsigned i = 0; i < 24; ++i) KEXPECT(k.frames.free(got[i], i % 4));
    KEXPECT_EQ(k.frames.free_bytes(), before);
}

KTEST(heap_allocates_and_frees, KtestScope::kEveryCore)
{
    Kcb& k = this_core();
    size_t before = k.heap.bytes_in_use();
    void* blocks[32];
    for (unsigned i = 0; i < 32; ++i) {
        size_t size = 16u << (i % 9); // 16 B .. 4 KiB
        blocks[i] = k.heap.alloc(size);
        KEXPECT(blocks[i] != nullptr);
        __builtin_memset(blocks[i], int(i), size);
    }
    for (unsigned i = 0; i < 32; ++i) {
        KEXPECT_EQ(*static_cast<unsigned char*>(blocks[i]), i);
        k.heap.free(blocks[i]);
    }
    KEXPECT_EQ(k.heap.bytes_in_use(), before);
}

KTEST(channel_ping_every_core, KtestScope::kBootCore)
{
    // 2,000 round trips with each core, in order, payload checked both ways.
    constexpr uint64_t kRounds = 2000;
    Messenger& m = messenger();
    m.set_handler(Msg::kPong, on_pong);
    g_pong_bad = 0;
    for (uint32_t c = 1; c < boot_info().topology.core_count; ++c) {
        if (!core_is_online(c)) continue;
        g_pong_seq[c] = 0;
        for (uint64_t seq = 1; seq <= kRounds; ++seq) {
            Ping p{};
            p.seq = seq;
            p.check = seq * 0x9e3779b97f4a7c15ull;
            KEXPECT(m.send_value(c, Msg::kPing, p));
            KEXPECT(m.wait_until([c, seq] { return g_pong_seq[c] >= seq; }, 5'000'000));
        }
        KEXPECT_EQ(g_pong_seq[c], kRounds);
    }
    KEXPECT_EQ(g_pong_bad, 0u);
}

KTEST(busy_core_with_interrupts_off_loses_nothing, KtestScope::kBootCore)
{
    // Core 1 keeps interrupts off for 30 ms while we send it three rings'
    // worth of pings: our sends queue behind its full ring, its pongs queue
    // behind ours, nothing is dropped, and every pong comes back in order
    // once it serves again. (It may be running its own in-kernel tests
    // meanwhile, serving nothing for seconds under TCG: hence the patience.)
    constexpr uint64_t kStallMicros = 30'000, kPings = 3 * Messenger::kRingSlots;
    if (boot_info().topology.core_count < 2 || !core_is_online(1)) return;
    Messenger& m = messenger();
    m.set_handler(Msg::kPong, on_pong);
    g_pong_bad = 0;
    g_pong_seq[1] = 0;
    const uint64_t start = cpu::rdtsc();
    KEXPECT(m.send_value(1, Msg::kStall, Stall{kStallMicros}));
    for (uint64_t seq = 1; seq <= kPings; ++seq) {
        Ping p{};
        p.seq = seq;
        p.check = seq * 0x9e3779b97f4a7c15ull;
        KEXPECT(m.send_value(1, Msg::kPing, p));
    }
    KEXPECT(m.wait_until([] { return g_pong_seq[1] >= kPings; }, 30'000'000));
    const uint64_t elapsed_us = (cpu::rdtsc() - start) / (boot_info().tsc_hz / 1'000'000);
    KEXPECT_EQ(g_pong_seq[1], kPings);
    KEXPECT_EQ(g_pong_bad, 0u);
    KEXPECT(elapsed_us >= kStallMicros); // it really was stalled, and we really waited
}

} // namespace atoll_os
