// Diag: where code that checks untrusted input (firmware tables, boot maps,
// user arguments) says exactly what is wrong, without deciding how it is
// shown. The kernel prints to its log; host tests collect the strings.
#pragma once

#include <stdarg.h>

namespace atoll_os {

class Diag {
public:
    // One complete sentence per call, naming the table/structure, the field
    // and what was expected, e.g. "SRAT: entry 3 length 0 (expected >= 2)".
    [[gnu::format(printf, 2, 3)]] void report(const char* fmt, ...)
    {
        va_list args;
        va_start(args, fmt);
        vreport(fmt, args);
        va_end(args);
    }

protected:
    ~Diag() = default;
    virtual void vreport(const char* fmt, va_list args) = 0;
};

// For callers that have already decided errors are ignorable.
class NullDiag final : public Diag {
protected:
    void vreport(const char*, va_list) override {}
};

} // namespace atoll_os
