// Panic: reason, registers and a symbolized frame-pointer backtrace, written
// straight to the UART from the failing core, then the machine stops.
#include "kernel/panic.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/console/serial.hpp"
#include "kernel/debug/backtrace.hpp"
#include "kernel/debug/ksymtab.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/log.hpp"
#include "kernel/power.hpp"
#include "percpu/kcb.hpp"

namespace atoll_os {
namespace {

bool g_panicking; // per core: a panic inside panic halts at once

// Panics bypass log forwarding: the channel to core 0 may be what broke.
[[gnu::format(printf, 1, 2)]] void emit(const char* fmt, ...)
{
    char line[kLogLineMax + 2];
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(line, kLogLineMax, fmt, args);
    va_end(args);
    if (n > kLogLineMax - 1) n = kLogLineMax - 1;
    line[n++] = '\n';
    serial().write(line, n);
}

void emit_registers(const InterruptFrame& f)
{
    emit("  rip %016lx  rsp %016lx  rflags %016lx", f.rip, f.rsp, f.rflags);
    emit("  rax %016lx  rbx %016lx  rcx %016lx", f.rax, f.rbx, f.rcx);
    emit("  rdx %016lx  rsi %016lx  rdi %016lx", f.rdx, f.rsi, f.rdi);
    emit("  rbp %016lx  r8  %016lx  r9  %016lx", f.rbp, f.r8, f.r9);
    emit("  r10 %016lx  r11 %016lx  r12 %016lx", f.r10, f.r11, f.r12);
    emit("  r13 %016lx  r14 %016lx  r15 %016lx", f.r13, f.r14, f.r15);
    emit("  cs %lx ss %lx  cr0 %lx cr2 %lx cr3 %lx cr4 %lx", f.cs, f.ss, cpu::read_cr0(), cpu::read_cr2(),
         cpu::read_cr3(), cpu::read_cr4());
}

// Return addresses are looked up one byte back: a call to a noreturn
// function is often the last instruction, so its return address already
// belongs to the next symbol.
void emit_frame_line(unsigned depth, uint64_t ip, bool is_return_address = true)
{
    uint64_t back = is_return_address ? 1 : 0;
    SymbolHit hit = ksym_lookup(ip - back);
    if (hit.name) emit("  #%u %016lx %s+%#lx", depth, ip, hit.name, hit.offset + back);
    else emit("  #%u %016lx ?", depth, ip);
}

[[noreturn]] void vpanic(const InterruptFrame* frame, const char* fmt, va_list args)
{
    cpu::cli();
    if (g_panicking) cpu::halt_forever();
    g_panicking = true;

    char reason[kLogLineMax];
    vformat(reason, sizeof reason, fmt, args);
    unsigned core = this_core().self == &this_core() ? this_core().core : 0;
    emit("PANIC core %u: %s", core, reason);
    uint64_t rbp;
    if (frame) {
        emit_registers(*frame);
        emit("backtrace:");
        emit_frame_line(0, frame->rip, false);
        rbp = frame->rbp;
    } else {
        emit("backtrace:");
        rbp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    }
    walk_frames(rbp, [](unsigned depth, uint64_t ip) { emit_frame_line(depth + 1, ip); });
    emit("PANIC end core %u", core);

    // Stop the other instances with NMI: an IPI, not shared memory.
    if (lapic().ready()) lapic().send_nmi_to_others();
    machine_exit(kStatusPanic);
}

} // namespace

void panic(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vpanic(nullptr, fmt, args);
}

void panic_with_frame(const InterruptFrame& frame, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vpanic(&frame, fmt, args);
}

} // namespace atoll_os
