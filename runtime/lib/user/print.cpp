// print(): format into a line buffer, hand it to the kernel log.
#include "runtime/lib/user/print.hpp"

#include <stdarg.h>

#include "kernel/lib/format.hpp"
#include "runtime/lib/user/syscall.hpp"

namespace atoll_os::user {

void print(const char* fmt, ...)
{
    char line[sys::kMaxDebugWrite + 1];
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(line, sizeof line, fmt, args);
    va_end(args);
    if (n > sys::kMaxDebugWrite) n = sys::kMaxDebugWrite;
    (void)debug_write(line, n);
}

} // namespace atoll_os::user
