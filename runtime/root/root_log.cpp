// Root task logging over the log port the kernel gave it.
#include "runtime/root/root_log.hpp"

#include "kernel/abi/program_env.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/tasks.hpp"

namespace atoll_os::root {
namespace {

void vlog(const char* fmt, va_list args)
{
    char line[sys::kMaxDebugWrite + 1] = "root: ";
    const size_t prefix = 6;
    size_t n = prefix + vformat(line + prefix, sizeof line - prefix, fmt, args);
    (void)user::log_write(rootslots::kLog, line, n < sys::kMaxDebugWrite ? n : sys::kMaxDebugWrite);
}

} // namespace

void log(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vlog(fmt, args);
    va_end(args);
}

void LogDiag::vreport(const char* fmt, va_list args)
{
    ++reports;
    vlog(fmt, args);
}

} // namespace atoll_os::root
