// Per-core GDT, TSS and IDT. Each core loads its own copies (they live in
// its private .bss), so no descriptor table is shared between instances.
#pragma once

#include <stdint.h>

namespace atoll_os {

struct InterruptFrame;

namespace selector {
inline constexpr uint16_t kKernelCode = 0x08;
inline constexpr uint16_t kKernelData = 0x10;
inline constexpr uint16_t kUserData = 0x20 | 3;
inline constexpr uint16_t kUserCode = 0x28 | 3;
inline constexpr uint16_t kTss = 0x30;
} // namespace selector

namespace vector {
inline constexpr uint8_t kNmi = 2;
inline constexpr uint8_t kDoubleFault = 8;
inline constexpr uint8_t kMachineCheck = 18;
inline constexpr uint8_t kTimer = 0x20;
// Device interrupts (Irq objects) take vectors from this range.
inline constexpr uint8_t kFirstDevice = 0x30;
inline constexpr uint8_t kLastDevice = 0xef;
inline constexpr uint8_t kChannelDoorbell = 0xf0;  // "a message is waiting for you"
inline constexpr uint8_t kChannelRequest = 0xf1;   // "please create my ring to you"
inline constexpr uint8_t kSpurious = 0xff;
} // namespace vector

using InterruptHandler = void (*)(InterruptFrame&);

// Loads this core's GDT (with TSS and IST stacks) and IDT.
void load_descriptors();
void set_interrupt_handler(uint8_t vector, InterruptHandler handler);
// This core's TSS I/O permission bitmap (8 KiB, a set bit denies the port;
// all ones at first) and whether user mode is checked against it (off:
// every port faults).
uint8_t* tss_io_bitmap();
void tss_use_io_bitmap(bool on);
// Runs the handler registered for a device/IPI vector and acknowledges it.
void run_interrupt_handler(InterruptFrame& frame);
const char* exception_name(uint8_t vector);

} // namespace atoll_os
