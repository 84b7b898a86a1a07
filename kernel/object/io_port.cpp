// IoPort creation, refusing the ports the kernel itself drives, and teardown.
#include "kernel/object/io_port.hpp"

#include "kernel/console/serial.hpp"
#include "kernel/power.hpp"

namespace atoll_os {
namespace {

struct PortRange {
    uint16_t first, last;
};

// Every port the kernel touches: a driver there could corrupt the log,
// the TSC calibration, the interrupt controllers or the power-off switch.
constexpr PortRange kKernelPorts[] = {
    {0x20, 0x21},                          // 8259 PIC, master (masked at boot)
    {0xa0, 0xa1},                          // 8259 PIC, slave
    {0x40, 0x43},                          // PIT (TSC calibration)
    {0x61, 0x61},                          // PIT channel 2 gate
    {kDebugExitPort, kDebugExitPort + 3},  // QEMU isa-debug-exit (iosize 4)
    {Serial::kCom1, Serial::kCom1 + 7},    // COM1, the kernel log
};

} // namespace

IoPort* IoPort::create(Quota& payer, uint64_t first, uint64_t last, Status& status)
{
    if (first > last || last > 0xffff) {
        status = Status::kInvalidArgument;
        return nullptr;
    }
    for (const PortRange& k : kKernelPorts) {
        if (first <= k.last && k.first <= last) {
            status = Status::kInUse;
            return nullptr;
        }
    }
    return create_object<IoPort>(payer, status, payer, uint16_t(first), uint16_t(last));
}

void IoPort::destroy() { destroy_object(this, *payer_); }

} // namespace atoll_os
