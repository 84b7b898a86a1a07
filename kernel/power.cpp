// Stopping the machine through QEMU's isa-debug-exit, or halting.
#include "kernel/power.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/console/serial.hpp"

namespace atoll_os {

void machine_exit(int status)
{
    cpu::cli();
    cpu::outl(kDebugExitPort, uint32_t(status));
    static const char msg[] = "atoll: no exit device; system halted\n";
    serial().write(msg, sizeof msg - 1);
    cpu::halt_forever();
}

} // namespace atoll_os
