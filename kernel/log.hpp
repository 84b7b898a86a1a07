// The kernel log: one line per call, prefixed with the core and the time
// since boot, e.g. "[c3 +0.041234] core 3 online: ...".
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace atoll_os {

inline constexpr size_t kLogLineMax = 200;

[[gnu::format(printf, 1, 2)]] void klog(const char* fmt, ...);
void vklog(const char* fmt, va_list args);

// Where finished lines go. Core 0 writes the UART; other cores forward lines
// to core 0 over their channel once it exists.
using LogSink = void (*)(const char* line, size_t len);
void set_log_sink(LogSink sink);
void serial_log_sink(const char* line, size_t len);

// Extra diagnostics (which capability check failed, ...): `debug` on the
// command line turns them on.
bool kernel_debug_log();
void set_kernel_debug_log(bool on);

// Formats the "[cN +S.UUUUUU] " prefix; returns its length. Exposed for tests.
size_t format_log_prefix(char* buf, size_t cap, unsigned core, unsigned long long micros);

} // namespace atoll_os
