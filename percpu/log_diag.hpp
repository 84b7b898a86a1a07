// A Diag that writes each report as a log line under a subsystem prefix.
#pragma once

#include "kernel/lib/diag.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/log.hpp"

namespace atoll_os {

class LogDiag final : public Diag {
public:
    explicit LogDiag(const char* prefix) : prefix_(prefix) {}
    unsigned reports() const { return reports_; }

protected:
    void vreport(const char* fmt, va_list args) override
    {
        char text[kLogLineMax];
        vformat(text, sizeof text, fmt, args);
        klog("%s: %s", prefix_, text);
        ++reports_;
    }

private:
    const char* prefix_;
    unsigned reports_ = 0;
};

} // namespace atoll_os
