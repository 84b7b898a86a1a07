// The root task's voice: lines into the kernel log through its log port
// (it cannot use the console service: it starts it), and a Diag that turns
// configuration and image errors into such lines.
#pragma once

#include "kernel/lib/diag.hpp"

namespace atoll_os::root {

[[gnu::format(printf, 1, 2)]] void log(const char* fmt, ...);

class LogDiag final : public Diag {
public:
    unsigned reports = 0;

protected:
    void vreport(const char* fmt, va_list args) override;
};

} // namespace atoll_os::root
