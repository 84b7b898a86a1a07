// The kernel command line: space-separated words, key=value or bare flags.
#pragma once

#include <stddef.h>

namespace atoll_os {

// Copies the value of `key=` into out (NUL-terminated); false if absent.
bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap);
// True if the bare word `flag` (or `flag=...`) is present.
bool cmdline_has(const char* cmdline, const char* flag);

// Comma-separated lists (test=a,b).
bool list_contains(const char* list, const char* item);
template <class Fn> void for_each_list_item(const char* list, Fn fn)
{
    const char* p = list;
    while (*p) {
        const char* start = p;
        while (*p && *p != ',') ++p;
        if (p > start) fn(start, size_t(p - start));
        if (*p == ',') ++p;
    }
}

} // namespace atoll_os
