// A user-level driver for the CMOS real-time clock, started by the root task
// with `caps = irq:8, ioport:0x70-0x71`: it reads the time, turns on the
// periodic interrupt and counts a few, acknowledging each at the device and
// at the kernel, then turns it off again. What every Atoll driver does:
// ports and an interrupt line, both capabilities, nothing else.
#include "runtime/lib/user/devices.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/slots.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint16_t kIndex = 0x70, kData = 0x71;
constexpr uint8_t kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c;
constexpr uint8_t kPeriodicEnable = 0x40, kRate64Hz = 10; // 32768 >> (rate - 1) per second
constexpr unsigned kTicks = 8;

uint8_t read(uint8_t reg)
{
    port_out8(kIndex, reg);
    return port_in8(kData);
}

void write(uint8_t reg, uint8_t value)
{
    port_out8(kIndex, reg);
    port_out8(kData, value);
}

unsigned from_bcd(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10 + (v & 0xf); }

} // namespace

int main()
{
    const uint64_t ports = env_cap("ioport_70_71"), irq = env_cap("irq_8"), note = env_cap("irq_8_note");
    if (ports == kNoSlot || irq == kNoSlot || note == kNoSlot) {
        print("rtc: needs `caps = irq:8, ioport:0x70-0x71` in the boot configuration");
        return 1;
    }
    Status s = io_port_enable(ports);
    if (!ok(s)) {
        print("rtc: cannot use ports 0x70-0x71: %s", status_message(s));
        return 1;
    }
    const bool binary = read(kRegB) & 0x04;
    print("rtc: time %02u:%02u:%02u", from_bcd(read(kHours), binary), from_bcd(read(kMinutes), binary),
          from_bcd(read(kSeconds), binary));

    write(kRegA, uint8_t((read(kRegA) & 0xf0) | kRate64Hz));
    (void)read(kRegC); // an interrupt already latched would otherwise never come again
    write(kRegB, uint8_t(read(kRegB) | kPeriodicEnable));
    unsigned ticks = 0;
    while (ticks < kTicks) {
        uint64_t bits = 0;
        if (!ok(wait(note, bits))) break;
        if (read(kRegC) & kPeriodicEnable) ++ticks; // reading C quiets the device
        (void)irq_ack(irq);
    }
    write(kRegB, uint8_t(read(kRegB) & ~kPeriodicEnable));
    (void)read(kRegC);
    print("rtc: %u periodic interrupts at 64 Hz through IRQ 8", ticks);
    return ticks == kTicks ? 0 : 1;
}
