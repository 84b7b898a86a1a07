// x86-64 instructions the kernel needs, as typed inline functions.
#pragma once

#include <stdint.h>

namespace atoll_os::cpu {

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)) : "memory");
}

struct CpuidRegs { uint32_t eax, ebx, ecx, edx; };
inline CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf = 0)
{
    CpuidRegs r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}
// Matches atoll_os::CpuidFn so the pure topology decoder can run on real hardware.
inline void cpuid_callback(uint32_t leaf, uint32_t subleaf, uint32_t out[4], void*)
{
    CpuidRegs r = cpuid(leaf, subleaf);
    out[0] = r.eax; out[1] = r.ebx; out[2] = r.ecx; out[3] = r.edx;
}

// Serialized: rdtscp waits for earlier instructions, lfence keeps later ones out.
inline uint64_t rdtsc_serialized()
{
    uint32_t lo, hi, aux;
    asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return (uint64_t(hi) << 32) | lo;
}
inline uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t(hi) << 32) | lo;
}

#define ATOLL_CR_ACCESSORS(n)                                                        \
    inline uint64_t read_cr##n() { uint64_t v; asm volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
    inline void write_cr##n(uint64_t v) { asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
ATOLL_CR_ACCESSORS(0)
ATOLL_CR_ACCESSORS(2)
ATOLL_CR_ACCESSORS(3)
ATOLL_CR_ACCESSORS(4)
#undef ATOLL_CR_ACCESSORS

inline void pause() { asm volatile("pause" ::: "memory"); }
inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
// sti takes effect after the next instruction, so an interrupt that arrives
// between the caller's last check and hlt still wakes us.
inline void sti_hlt() { asm volatile("sti; hlt" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void mfence() { asm volatile("mfence" ::: "memory"); }
inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }
inline bool interrupts_enabled()
{
    uint64_t flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags & (1u << 9);
}
[[noreturn]] inline void halt_forever()
{
    for (;;) asm volatile("cli; hlt");
}

namespace msr {
inline constexpr uint32_t kApicBase = 0x1b;
inline constexpr uint32_t kTscDeadline = 0x6e0;
inline constexpr uint32_t kEfer = 0xc0000080;
inline constexpr uint32_t kFsBase = 0xc0000100;
inline constexpr uint32_t kGsBase = 0xc0000101;
inline constexpr uint32_t kKernelGsBase = 0xc0000102;
} // namespace msr

} // namespace atoll_os::cpu
