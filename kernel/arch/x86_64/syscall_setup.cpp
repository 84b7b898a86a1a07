// SYSCALL MSRs: entry point, segments, flags cleared on entry.
#include "kernel/arch/x86_64/syscall_setup.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fpu.hpp"
#include "kernel/syscall/user_access.hpp"
#include "percpu/kcb.hpp"

extern "C" char syscall_entry[], kernel_stack_top[];

namespace atoll_os {
namespace msr {
inline constexpr uint32_t kStar = 0xc0000081;
inline constexpr uint32_t kLstar = 0xc0000082;
inline constexpr uint32_t kFmask = 0xc0000084;
} // namespace msr

void user_mode_init_core(bool smap_enabled)
{
    this_core().kernel_stack_top = reinterpret_cast<uint64_t>(kernel_stack_top);
    cpu::wrmsr(cpu::msr::kEfer, cpu::rdmsr(cpu::msr::kEfer) | 1); // SCE
    // SYSRET loads CS from STAR[63:48]+16 and SS from +8: 0x18 gives the
    // user code (0x28) and data (0x20) descriptors.
    cpu::wrmsr(msr::kStar, (uint64_t(0x18 | 3) << 48) | (uint64_t(selector::kKernelCode) << 32));
    cpu::wrmsr(msr::kLstar, reinterpret_cast<uint64_t>(syscall_entry));
    // Entry runs with interrupts off, direction clear, no trap, AC clear (SMAP closed).
    cpu::wrmsr(msr::kFmask, (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18));
    fpu_init_core();
    user_access_init_core(smap_enabled);
}

} // namespace atoll_os
