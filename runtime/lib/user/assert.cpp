// panic_at(): one line, then the thread ends.
#include "runtime/lib/user/assert.hpp"

#include <stdarg.h>

#include "kernel/lib/format.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/syscall.hpp"

namespace atoll_os::user {

void panic_at(const char* file, int line, const char* fmt, ...)
{
    char what[120];
    va_list args;
    va_start(args, fmt);
    (void)vformat(what, sizeof what, fmt, args);
    va_end(args);
    const char* base = file;
    for (const char* p = file; *p; ++p)
        if (*p == '/') base = p + 1;
    print("panic: %s (%s:%d)", what, base, line);
    thread_exit(kPanicStatus);
}

} // namespace atoll_os::user
