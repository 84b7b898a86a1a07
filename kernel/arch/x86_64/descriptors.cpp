// Per-core GDT, TSS, IDT and the dispatcher every interrupt goes through.
#include "kernel/arch/x86_64/descriptors.hpp"

#include <stddef.h>

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/panic.hpp"
#include "kernel/syscall/user_access.hpp"
#include "percpu/kcb.hpp"

extern "C" char interrupt_stubs[];

namespace atoll_os {
namespace {

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

// The TSS and, right after it, room for a full I/O permission bitmap (one
// bit per port, 65536 ports) and the all-ones byte the CPU wants after it:
// an access may read the bitmap's byte past the port's. Which ports are
// allowed is io_bitmap.cpp's business; this file only places it.
constexpr uint32_t kIoBitmapBytes = 65536 / 8;
struct TssWithIoBitmap { // Tss is packed (alignment 1): no padding between the two
    Tss tss;
    uint8_t io_bitmap[kIoBitmapBytes + 1];
};
// iomap_base past the segment limit: no bitmap, so every port faults in
// user mode (IOPL is 0).
constexpr uint16_t kNoIoBitmap = 0xffff;
static_assert(offsetof(TssWithIoBitmap, io_bitmap) == sizeof(Tss));
static_assert(sizeof(TssWithIoBitmap) - 1 < kNoIoBitmap);

struct [[gnu::packed]] IdtEntry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

struct [[gnu::packed]] TablePointer {
    uint16_t limit;
    uint64_t base;
};

constexpr unsigned kIstStackSize = 8192;
enum Ist : uint8_t { kIstNone = 0, kIstDoubleFault = 1, kIstNmi = 2, kIstMachineCheck = 3 };

// All per core by construction: .bss is private to each instance.
alignas(16) uint64_t g_gdt[8];
alignas(16) TssWithIoBitmap g_tss_block;
Tss& g_tss = g_tss_block.tss;
alignas(16) IdtEntry g_idt[256];
alignas(16) uint8_t g_ist_stacks[3][kIstStackSize];
InterruptHandler g_handlers[256];

constexpr uint64_t code_descriptor(unsigned dpl) { return 0x00209a0000000000ull | (uint64_t(dpl) << 45); }
constexpr uint64_t data_descriptor(unsigned dpl) { return 0x0000920000000000ull | (uint64_t(dpl) << 45); }

void set_gate(uint8_t vec, uint8_t ist)
{
    uint64_t addr = reinterpret_cast<uint64_t>(interrupt_stubs) + uint64_t(vec) * 16;
    g_idt[vec] = IdtEntry{uint16_t(addr), selector::kKernelCode, ist,
                          0x8e, // present, DPL 0, interrupt gate
                          uint16_t(addr >> 16), uint32_t(addr >> 32), 0};
}

} // namespace

const char* exception_name(uint8_t vec)
{
    static const char* const names[32] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR bound range", "#UD invalid opcode", "#NM device not available",
        "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
        "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
        "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
        "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
        "reserved 24", "reserved 25", "reserved 26", "reserved 27",
        "#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved 31"};
    return vec < 32 ? names[vec] : "interrupt";
}

void load_descriptors()
{
    g_gdt[0] = 0;
    g_gdt[1] = code_descriptor(0);
    g_gdt[2] = data_descriptor(0);
    g_gdt[3] = 0; // 32-bit user code slot: SYSRET's layout wants it here
    g_gdt[4] = data_descriptor(3);
    g_gdt[5] = code_descriptor(3);
    uint64_t tss = reinterpret_cast<uint64_t>(&g_tss);
    g_gdt[6] = (sizeof(TssWithIoBitmap) - 1) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
               (((tss >> 24) & 0xff) << 56);
    g_gdt[7] = tss >> 32;

    g_tss = Tss{};
    g_tss.iomap_base = kNoIoBitmap;
    __builtin_memset(g_tss_block.io_bitmap, 0xff, sizeof g_tss_block.io_bitmap);
    this_core().tss_rsp0 = &g_tss.rsp[0]; // the switch path writes it without a call
    g_tss.ist[kIstDoubleFault - 1] = reinterpret_cast<uint64_t>(g_ist_stacks[0] + kIstStackSize);
    g_tss.ist[kIstNmi - 1] = reinterpret_cast<uint64_t>(g_ist_stacks[1] + kIstStackSize);
    g_tss.ist[kIstMachineCheck - 1] = reinterpret_cast<uint64_t>(g_ist_stacks[2] + kIstStackSize);

    TablePointer gdtr{sizeof g_gdt - 1, reinterpret_cast<uint64_t>(g_gdt)};
    asm volatile("lgdt %0\n"
                 "pushq %1\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "mov %2, %%ds\n"
                 "mov %2, %%es\n"
                 "mov %2, %%ss\n"
                 ::"m"(gdtr), "i"(uint64_t(selector::kKernelCode)), "r"(uint32_t(selector::kKernelData))
                 : "rax", "memory");
    asm volatile("ltr %0" ::"r"(selector::kTss));

    for (unsigned v = 0; v < 256; ++v) set_gate(uint8_t(v), kIstNone);
    set_gate(vector::kDoubleFault, kIstDoubleFault);
    set_gate(vector::kNmi, kIstNmi);
    set_gate(vector::kMachineCheck, kIstMachineCheck);
    TablePointer idtr{sizeof g_idt - 1, reinterpret_cast<uint64_t>(g_idt)};
    asm volatile("lidt %0" ::"m"(idtr));
}

void set_interrupt_handler(uint8_t vec, InterruptHandler handler) { g_handlers[vec] = handler; }

uint8_t* tss_io_bitmap() { return g_tss_block.io_bitmap; }

void tss_use_io_bitmap(bool on) { g_tss.iomap_base = on ? uint16_t(sizeof(Tss)) : kNoIoBitmap; }

namespace {

bool try_exception_probe(InterruptFrame& frame)
{
    ExceptionProbe& probe = this_core().probe;
    if (probe.vector != frame.vector) return false;
    probe.hits++;
    probe.vector = 0xff;
    frame.rip = probe.resume_ip;
    return true;
}

[[noreturn]] void report_exception(InterruptFrame& frame)
{
    uint8_t vec = uint8_t(frame.vector);
    if (vec == 14) {
        uint64_t e = frame.error_code;
        panic_with_frame(frame, "%s at %#lx: %s %s in %s mode%s", exception_name(vec), cpu::read_cr2(),
                         (e & 1) ? "protection violation" : "page not present",
                         (e & 16) ? "on instruction fetch" : (e & 2) ? "on write" : "on read",
                         (e & 4) ? "user" : "kernel", (e & 8) ? " (reserved bit set)" : "");
    }
    panic_with_frame(frame, "%s (error code %#lx)", exception_name(vec), frame.error_code);
}

} // namespace

extern "C" void interrupt_dispatch(InterruptFrame* frame)
{
    uint8_t vec = uint8_t(frame->vector);
    if (vec == vector::kNmi) {
        // Atoll uses NMI only to stop this core when another core panicked.
        cpu::halt_forever();
    }
    if (vec < 32) {
        if (try_exception_probe(*frame)) return;
        if (vec == 14 && fixup_user_copy_fault(*frame)) return;
        report_exception(*frame);
    }
    run_interrupt_handler(*frame);
}

void run_interrupt_handler(InterruptFrame& frame)
{
    uint8_t vec = uint8_t(frame.vector);
    if (vec == vector::kSpurious) return; // never acknowledged with EOI
    if (InterruptHandler h = g_handlers[vec]) {
        h(frame);
    } else {
        panic_with_frame(frame, "unexpected interrupt vector %u", vec);
    }
    lapic().eoi();
}

} // namespace atoll_os
