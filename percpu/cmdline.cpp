// Kernel command-line parsing.
#include "percpu/cmdline.hpp"

namespace atoll_os {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Finds the first word that is `key=...` (want_value) or `key` or
// `key=...` (!want_value); returns a pointer just past the key, or nullptr.
const char* find_word(const char* s, const char* key, bool want_value)
{
    size_t klen = 0;
    while (key[klen]) ++klen;
    if (klen == 0) return nullptr;
    while (*s) {
        while (is_space(*s)) ++s;
        const char* word = s;
        while (*s && !is_space(*s)) ++s;
        size_t wlen = size_t(s - word);
        if (wlen >= klen && __builtin_memcmp(word, key, klen) == 0) {
            if (wlen > klen && word[klen] == '=') return word + klen;
            if (wlen == klen && !want_value) return word + klen;
        }
    }
    return nullptr;
}

} // namespace

bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap)
{
    const char* at = find_word(cmdline, key, true);
    if (!at || cap == 0) return false;
    ++at;
    size_t n = 0;
    while (at[n] && !is_space(at[n]) && n + 1 < cap) {
        out[n] = at[n];
        ++n;
    }
    out[n] = '\0';
    return true;
}

bool cmdline_has(const char* cmdline, const char* flag) { return find_word(cmdline, flag, false) != nullptr; }

bool list_contains(const char* list, const char* item)
{
    size_t ilen = 0;
    while (item[ilen]) ++ilen;
    bool found = false;
    for_each_list_item(list, [&](const char* s, size_t len) {
        if (len == ilen && __builtin_memcmp(s, item, len) == 0) found = true;
    });
    return found;
}

} // namespace atoll_os
