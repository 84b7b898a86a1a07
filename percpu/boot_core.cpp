// The boot core's path from the loader to a running multikernel: learn the
// machine, split it, give itself its own address space, start the others.
#include "kernel/acpi/rsdp.hpp"
#include "kernel/acpi/sdt.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_topology.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/pit.hpp"
#include "kernel/boot/multiboot.hpp"
#include "kernel/console/serial.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "percpu/address_space.hpp"
#include "percpu/ap_start.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/bootstrap_frames.hpp"
#include "percpu/cmdline.hpp"
#include "percpu/coordinator.hpp"
#include "percpu/first_tasks.hpp"
#include "percpu/core_init.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/log_diag.hpp"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern "C" char __data_start[], __data_end[], __bss_end[], __data_template[];
extern "C" char __bootinfo_start[], __bootinfo_end[], __image_end[];
extern "C" char __image_start_phys[];

namespace atoll_os {
namespace {

constexpr uint64_t kEarlyMapLimit = 4ull << 30; // what entry32.S identity/physmap maps

uint64_t phys_of(const char* kernel_va) { return reinterpret_cast<uint64_t>(kernel_va) - kKernelVma; }

void record_image_layout(KernelImage& img)
{
    img.text = PhysRange{phys_of(__text_start), phys_of(__text_end)};
    img.rodata = PhysRange{phys_of(__rodata_start), phys_of(__rodata_end)};
    img.data_size = uint64_t(__data_end - __data_start);
    img.private_size = uint64_t(__bss_end - __data_start);
    img.data_va = reinterpret_cast<uint64_t>(__data_start);
    img.data_template = PhysRange{phys_of(__data_template), phys_of(__data_template) + img.data_size};
    img.boot_core_private = PhysRange{phys_of(__data_start), phys_of(__bss_end)};
    img.bootinfo = PhysRange{phys_of(__bootinfo_start), phys_of(__bootinfo_end)};
    img.whole = PhysRange{reinterpret_cast<uint64_t>(__image_start_phys), phys_of(__image_end)};
}

// ACPI tables are read through the early physmap (first 4 GiB).
class EarlyTables final : public acpi::TableSource {
public:
    const uint8_t* map(uint64_t phys, size_t len) override
    {
        if (phys >= kEarlyMapLimit || len > kEarlyMapLimit - phys) return nullptr;
        return phys_to_ptr<const uint8_t>(phys);
    }
};

const uint8_t* find_rsdp_in_bios_areas(size_t& len)
{
    // EBDA (segment at 0x40e), then the BIOS ROM area.
    uint64_t ebda = uint64_t(*phys_to_ptr<const uint16_t>(0x40e)) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        if (const uint8_t* p = acpi::find_rsdp(phys_to_ptr<const uint8_t>(ebda), 1024)) {
            len = size_t(0xa0000 - (p - phys_to_ptr<const uint8_t>(0)));
            return p;
        }
    const uint8_t* rom = phys_to_ptr<const uint8_t>(0xe0000);
    if (const uint8_t* p = acpi::find_rsdp(rom, 0x20000)) {
        len = size_t(rom + 0x20000 - p);
        return p;
    }
    return nullptr;
}

uint64_t calibrate_tsc()
{
    uint64_t hz = measure_tsc_hz_with_pit();
    if (hz) return hz;
    auto l16 = cpu::cpuid(0).eax >= 0x16 ? cpu::cpuid(0x16) : cpu::CpuidRegs{};
    if (l16.eax) {
        klog("time: PIT did not respond; using CPUID base frequency %u MHz", l16.eax);
        return uint64_t(l16.eax) * 1000000;
    }
    klog("time: no PIT and no CPUID frequency; assuming a 1 GHz TSC (times will be wrong)");
    return 1000000000;
}

void discover_topology(BootInfo& info, const LoaderExtras& extras)
{
    uint64_t lo = ~0ull, hi = 0;
    for (uint32_t i = 0; i < info.memory_map_count; ++i) {
        const MemoryMapEntry& e = info.memory_map[i];
        if (e.type != 1 || e.length == 0) continue;
        lo = e.base < lo ? e.base : lo;
        hi = e.base + e.length > hi ? e.base + e.length : hi;
    }
    size_t rsdp_len = extras.rsdp_len;
    const uint8_t* rsdp = rsdp_len ? extras.rsdp : find_rsdp_in_bios_areas(rsdp_len);
    if (!rsdp) klog("acpi: no RSDP from the loader or in the BIOS areas");
    EarlyTables tables;
    LogDiag diag("acpi");
    ApicIdLayout layout = decode_apic_id_layout(cpu::cpuid_callback, nullptr);
    uint32_t boot_apic = current_apic_id_from_cpuid(cpu::cpuid_callback, nullptr);
    build_topology(tables, rsdp, rsdp_len, boot_apic, layout, lo, hi, info.topology, diag);

    const Topology& t = info.topology;
    klog("topology: %u cores, %u NUMA nodes (cores from %s, nodes from %s, distances from %s)", t.core_count,
         t.node_count, t.from_madt ? "MADT" : "fallback: boot core only",
         t.from_srat ? "SRAT" : "fallback: one node", t.from_slit ? "SLIT" : "defaults");
    for (uint32_t i = 0; i < t.node_count; ++i)
        for (uint32_t j = 0; j < t.node_count; ++j) klog("numa: distance %u %u = %u", i, j, t.distance[i][j]);
    for (uint32_t i = 0; i < t.mem_range_count; ++i)
        klog("numa: node %u memory %#lx-%#lx%s", t.mem[i].node, t.mem[i].base, t.mem[i].base + t.mem[i].length,
             t.mem[i].hotplug ? " hotplug" : "");
    // One line per core: what the host compares against hwloc's reading.
    for (uint32_t c = 0; c < t.core_count; ++c) {
        const CoreInfo& ci = t.cores[c];
        klog("topology: core %u apic %u package %u core %u thread %u node %u l2 %u l3 %u", c, ci.apic_id, ci.package,
             ci.core, ci.thread, ci.node, ci.l2_group, ci.l3_group);
    }
}

bool split_partitions(BootInfo& info)
{
    PhysRange usable[kMaxMemoryMapEntries];
    uint32_t usable_count = 0;
    for (uint32_t i = 0; i < info.memory_map_count; ++i)
        if (info.memory_map[i].type == 1)
            usable[usable_count++] = PhysRange{info.memory_map[i].base,
                                               info.memory_map[i].base + info.memory_map[i].length};
    PhysRange reserved[2 + kMaxBootModules];
    uint32_t reserved_count = 0;
    reserved[reserved_count++] = PhysRange{0, kLowMemoryEnd};
    reserved[reserved_count++] = info.image.whole;
    for (uint32_t i = 0; i < info.module_count; ++i)
        reserved[reserved_count++] = PhysRange{info.modules[i].base, info.modules[i].end};

    Topology& t = info.topology;
    NodeRange nodes[kMaxNodeMemRanges];
    uint32_t node_count = 0;
    if (t.from_srat)
        for (uint32_t i = 0; i < t.mem_range_count; ++i)
            nodes[node_count++] = NodeRange{t.mem[i].base, t.mem[i].base + t.mem[i].length, t.mem[i].node};
    uint16_t core_node[kMaxCores];
    for (uint32_t c = 0; c < t.core_count; ++c) core_node[c] = t.cores[c].node;

    PartitionRequest req{usable, usable_count, reserved, reserved_count, nodes, node_count, core_node,
                         t.core_count, align_up(info.image.private_size) + (2ull << 20)};
    LogDiag diag("memory");
    if (split_memory(req, info.partitions, diag)) return true;
    klog("memory: cannot give %u cores a partition each; booting the boot core only", t.core_count);
    t.core_count = 1;
    req.core_count = 1;
    return split_memory(req, info.partitions, diag);
}

[[noreturn]] void run_boot_core()
{
    const BootInfo& info = boot_info();
    const char* cmdline = info.cmdline;
    if (cmdline_has(cmdline, "probe")) shutdown_machine(0);

    start_all_cores();

    char filter[kCmdlineMax];
    int status = 0;
    if (cmdline_value(cmdline, "test", filter, sizeof filter)) status = run_tests_everywhere(filter) ? 1 : 0;
    char init[kCmdlineMax];
    if (status == 0 && cmdline_value(cmdline, "init", init, sizeof init)) {
        map_boot_modules();
        run_first_tasks(init);
    }
    if (status == 0 && !cmdline_has(cmdline, "test") && has_root_modules()) {
        map_boot_modules();
        run_sigma0_and_root();
    }
    shutdown_machine(status);
}

} // namespace

extern "C" [[noreturn]] void bsp_entry64(uint32_t magic, uint32_t info_phys)
{
    BootInfo& info = boot_info_for_boot_core_setup();
    info.boot_tsc = cpu::rdtsc();
    install_kcb(0, current_apic_id_from_cpuid(cpu::cpuid_callback, nullptr));
    serial().init(Serial::kCom1);
    load_descriptors();
    klog("Atoll multikernel starting on the boot core");

    record_image_layout(info.image);
    LoaderExtras extras{};
    LogDiag boot_diag("boot");
    if (!parse_multiboot(magic, info_phys, kPhysmapBase, kEarlyMapLimit, info, extras, boot_diag))
        panic("boot: the loader's information is unusable (see above); cannot find memory");
    klog("boot: %s, command line \"%s\", %u memory map entries, %u modules",
         magic == kMultiboot2Magic ? "multiboot2" : "multiboot", info.cmdline, info.memory_map_count,
         info.module_count);

    info.tsc_hz = calibrate_tsc();
    info.x2apic = cpu::cpuid(1).ecx & (1u << 21);
    info.tsc_deadline = cpu::cpuid(1).ecx & (1u << 24);
    discover_topology(info, extras);
    if (!split_partitions(info)) panic("memory: not even the boot core fits in memory");
    for (uint32_t c = 0; c < info.topology.core_count; ++c) info.directory_phys[c] = info.partitions[c].ranges[0].base;

    // Our own address space: from here on the boot info is read-only.
    BootstrapFrames frames(info.partitions[0], kDirectoryBytes, 0);
    AddressSpacePlan plan;
    plan.own = &info.partitions[0];
    plan.private_data_phys = info.image.boot_core_private.base;
    plan.map_lapic = true;
    plan.extra_rw = PhysRange{kTrampolinePhys, kLowMemoryEnd};
    FrameSource src = frames.source();
    uint64_t pml4 = build_kernel_address_space(info, plan, src, boot_diag);
    if (!pml4) panic("boot: cannot build the boot core's address space");
    cpu::write_cr3(pml4);
    this_core().pml4_phys = pml4;

    init_core_instance(0, frames);
    uint32_t apic = this_core().apic_id;
    ApicIdParts parts = decompose(apic, decode_apic_id_layout(cpu::cpuid_callback, nullptr));
    klog("core 0 online: apic %u, package %u, core %u, thread %u, node %u", apic, parts.package, parts.core,
         parts.thread, boot_info().topology.cores[0].node);
    this_core().online = true;
    run_boot_core();
}

} // namespace atoll_os
