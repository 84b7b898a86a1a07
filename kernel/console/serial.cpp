// 16550 UART driver: 115200 8N1 with FIFOs, polled transmit.
#include "kernel/console/serial.hpp"

#include "kernel/arch/x86_64/cpu.hpp"

namespace atoll_os {
namespace {
Serial g_serial; // per core (private .bss), like every kernel global
enum : uint16_t { kData = 0, kIntEnable = 1, kFifo = 2, kLineCtl = 3, kModemCtl = 4, kLineStatus = 5 };
} // namespace

Serial& serial() { return g_serial; }

void Serial::init(uint16_t port)
{
    port_ = port;
    cpu::outb(port_ + kIntEnable, 0x00);
    cpu::outb(port_ + kLineCtl, 0x80);   // divisor latch
    cpu::outb(port_ + kData, 0x01);      // 115200 baud
    cpu::outb(port_ + kIntEnable, 0x00);
    cpu::outb(port_ + kLineCtl, 0x03);   // 8N1
    cpu::outb(port_ + kFifo, 0xc7);      // enable + clear FIFOs
    cpu::outb(port_ + kModemCtl, 0x03);  // DTR, RTS
}

bool Serial::wait_transmitter_empty()
{
    // Bounded: a missing UART must not hang the kernel forever.
    for (int spin = 0; spin < 100000; ++spin) {
        if (cpu::inb(port_ + kLineStatus) & 0x20) return true;
        cpu::pause();
    }
    return false;
}

void Serial::write(const char* s, size_t len)
{
    // THRE means the 16-byte FIFO is empty: one status read per 16 bytes
    // instead of one per byte (each port access is a VM exit when virtualized).
    constexpr int kFifoDepth = 16;
    int room = 0;
    for (size_t i = 0; i < len; ++i) {
        for (int part = (s[i] == '\n') ? 0 : 1; part < 2; ++part) {
            if (room == 0) {
                wait_transmitter_empty();
                room = kFifoDepth;
            }
            cpu::outb(port_ + kData, uint8_t(part == 0 ? '\r' : s[i]));
            --room;
        }
    }
}

} // namespace atoll_os
