// The kernel log: prefix, format, hand to this core's sink.
#include "kernel/log.hpp"

#include "kernel/console/serial.hpp"
#include "kernel/lib/format.hpp"
#include "percpu/kcb.hpp"
#include "kernel/time.hpp"

namespace atoll_os {
namespace {
LogSink g_sink = serial_log_sink;
bool g_debug;
} // namespace

bool kernel_debug_log() { return g_debug; }
void set_kernel_debug_log(bool on) { g_debug = on; }

void set_log_sink(LogSink sink) { g_sink = sink; }

void serial_log_sink(const char* line, size_t len) { serial().write(line, len); }

size_t format_log_prefix(char* buf, size_t cap, unsigned core, unsigned long long micros)
{
    return format(buf, cap, "[c%u +%llu.%06llu] ", core, micros / 1000000, micros % 1000000);
}

void vklog(const char* fmt, va_list args)
{
    char line[kLogLineMax + 2];
    size_t n = format_log_prefix(line, sizeof line, this_core().core, micros_since_boot());
    if (n < kLogLineMax) n += vformat(line + n, kLogLineMax - n, fmt, args);
    if (n > kLogLineMax - 1) n = kLogLineMax - 1; // truncated lines still end cleanly
    line[n++] = '\n';
    line[n] = '\0';
    g_sink(line, n);
}

void klog(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vklog(fmt, args);
    va_end(args);
}

} // namespace atoll_os
