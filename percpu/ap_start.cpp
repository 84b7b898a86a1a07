// INIT-SIPI-SIPI start of each AP with its bring-up address space.
#include "percpu/ap_start.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/log.hpp"
#include "kernel/time.hpp"
#include "percpu/address_space.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/bootstrap_frames.hpp"
#include "percpu/layout.hpp"
#include "percpu/log_diag.hpp"
#include "percpu/messages.hpp"
#include "percpu/messenger.hpp"

extern "C" const char trampoline_start[], trampoline_end[], trampoline_params[];
extern "C" [[noreturn]] void ap_entry64(uint32_t core);

namespace atoll_os {
namespace {

struct TrampolineParams {
    uint32_t cr3;
    uint32_t efer_extra;
    uint64_t entry;
    uint64_t stack;
    uint32_t core;
    uint32_t reserved;
};

bool g_online[kMaxCores];
constexpr uint64_t kOnlineTimeoutUs = 10'000'000;

void on_core_online(uint32_t from, const ChannelMessage& msg)
{
    auto online = payload_as<CoreOnline>(msg);
    if (online.core == from) g_online[from] = true;
    else klog("boot: core %u claims to be core %u; ignored", from, online.core);
}

// The AP's first page tables: kernel text, boot info, the .data template,
// its own partition and the trampoline; never another core's memory.
uint64_t build_bringup_tables(uint32_t core, LogDiag& diag)
{
    const BootInfo& info = boot_info();
    Partition pool{};
    pool.ranges[0] = PhysRange{kBringupPoolPhys, kBringupPoolEnd};
    pool.count = 1;
    BootstrapFrames frames(pool, 0, 0); // reused for every AP: they start one at a time
    FrameSource src = frames.source();
    AddressSpacePlan plan;
    plan.own = &info.partitions[core];
    plan.extra_ro = info.image.data_template;
    plan.identity_exec = PhysRange{kTrampolinePhys, kTrampolinePhys + kPageSize};
    return build_kernel_address_space(info, plan, src, diag);
}

bool start_one(uint32_t core)
{
    const BootInfo& info = boot_info();
    LogDiag diag("boot");
    uint64_t cr3 = build_bringup_tables(core, diag);
    if (!cr3) return false;

    auto* params = phys_to_ptr<TrampolineParams>(kTrampolinePhys + uint64_t(trampoline_params - trampoline_start));
    params->cr3 = uint32_t(cr3);
    params->efer_extra = (cpu::rdmsr(cpu::msr::kEfer) & (1u << 11)) ? (1u << 11) : 0;
    params->entry = reinterpret_cast<uint64_t>(&ap_entry64);
    params->stack = phys_to_virt(info.partitions[core].ranges[0].end);
    params->core = core;
    cpu::mfence();

    uint32_t apic = info.topology.cores[core].apic_id;
    lapic().send_init(apic);
    delay_micros(10000);
    lapic().send_startup(apic, uint8_t(kTrampolinePhys >> 12));
    delay_micros(200);
    lapic().send_startup(apic, uint8_t(kTrampolinePhys >> 12)); // ignored if the first one took
    return messenger().wait_until([core] { return g_online[core]; }, kOnlineTimeoutUs);
}

} // namespace

bool core_is_online(uint32_t core) { return core == 0 || g_online[core]; }

uint32_t start_all_cores()
{
    const BootInfo& info = boot_info();
    messenger().set_handler(Msg::kOnline, on_core_online);
    __builtin_memcpy(phys_to_ptr<void>(kTrampolinePhys), trampoline_start, size_t(trampoline_end - trampoline_start));

    uint32_t online = 1;
    uint64_t start = micros_since_boot();
    for (uint32_t core = 1; core < info.topology.core_count; ++core) {
        if (start_one(core)) ++online;
        else klog("boot: core %u (apic %u) did not come online", core, info.topology.cores[core].apic_id);
    }
    uint64_t took = micros_since_boot() - start;
    klog("boot: %u of %u cores online; starting the others took %lu.%03lu ms", online, info.topology.core_count,
         took / 1000, took % 1000);
    return online;
}

} // namespace atoll_os
