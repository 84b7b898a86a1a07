// print(): format into a line buffer, hand it to the console service when
// the program has one (it adds name and core), else to the kernel log.
#include "runtime/lib/user/print.hpp"

#include <stdarg.h>

#include "kernel/lib/format.hpp"
#include "runtime/lib/user/console_client.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/slots.hpp"
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
    // The console message is built in the main thread's UTCB; other
    // threads use the kernel log so as not to disturb it.
    uint64_t console = env_cap("console");
    uint64_t sp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    bool main_thread = sp < kMainStackTop && sp >= kMainStackTop - kMainStackMax;
    if (console != kNoSlot && main_thread && ok(ConsoleClient(console).write(line, n))) return;
    (void)debug_write(line, n);
}

} // namespace atoll_os::user
