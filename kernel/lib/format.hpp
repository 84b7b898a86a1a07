// printf-style formatting into a caller's buffer: the kernel has no libc.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace atoll_os {

// Supports %d %i %u %x %X %o %c %s %p %% with flags '-', '0', '#', width,
// precision for %s, and length modifiers l, ll, z. Always NUL-terminates
// when cap > 0; returns the length the full output would have had.
size_t vformat(char* buf, size_t cap, const char* fmt, va_list args);
[[gnu::format(printf, 3, 4)]] size_t format(char* buf, size_t cap, const char* fmt, ...);

} // namespace atoll_os
