// 16550 UART on an I/O port: the kernel log's only device. Core 0 owns it;
// other cores reach it through core 0 (log forwarding) except when panicking.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atoll_os {

class Serial {
public:
    static constexpr uint16_t kCom1 = 0x3f8;
    void init(uint16_t port);
    void write(const char* s, size_t len);   // LF becomes CR LF

private:
    bool wait_transmitter_empty();
    uint16_t port_ = kCom1;
};

Serial& serial();

} // namespace atoll_os
