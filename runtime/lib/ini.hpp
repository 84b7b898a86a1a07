// The INI-like dialect of boot.cfg, tokenized once for every parser of it: lines, comments, sections, settings, names, numbers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"

// The dialect (runtime/lib/boot_config.hpp has the full grammar):
//
//   - LF or CRLF line ends; any other byte outside printable ASCII and tab is
//     an error (a lone CR, NUL, UTF-8), reported once for its line
//   - "#" starts a comment at line start or after a space or tab, so
//     "--colour=#fff" is not one
//   - "[kind NAME]" starts a section; "key = value" is a setting; both are
//     trimmed of spaces and tabs
//   - NAME = [a-z0-9_-]{1,31}; numbers are decimal or "0x" hex
//
// A parser (bootcfg::parse, placement::parse_request) pulls items from a
// Reader, which reports what is wrong with the lines themselves, and keeps
// only its own keys and what they mean. Every report starts "file:line: ".
namespace atoll_os::ini {

inline constexpr unsigned kNameMax = 32;  // a NAME and its NUL
inline constexpr size_t kShowMax = 40;    // values quoted in messages are cut here
inline constexpr unsigned kMaxKeys = 16;  // keys one parser checks for duplicates

// A piece of the input: never NUL-terminated, never read past n.
struct Str {
    const char* p = "";  // never null, so "%.*s" of an empty Str is well defined
    size_t n = 0;

    bool is(const char* lit) const
    {
        const size_t len = __builtin_strlen(lit);
        return n == len && __builtin_memcmp(p, lit, len) == 0;
    }
    bool starts_with(const char* lit) const
    {
        const size_t len = __builtin_strlen(lit);
        return n >= len && __builtin_memcmp(p, lit, len) == 0;
    }
    Str from(size_t i) const { return i <= n ? Str{p + i, n - i} : Str{p + n, 0}; }
    Str upto(size_t i) const { return Str{p, i < n ? i : n}; }
    // Index of the first c, or n.
    size_t find(char c) const
    {
        size_t i = 0;
        while (i < n && p[i] != c) {
            ++i;
        }
        return i;
    }
    // printf "%.*s%s" arguments for a quote of bounded length.
    int shown() const { return static_cast<int>(n < kShowMax ? n : kShowMax); }
    const char* more() const { return n > kShowMax ? "..." : ""; }
};

inline Str str(const char* s) { return Str{s, __builtin_strlen(s)}; }

bool is_space(char c);  // space or tab
Str trim(Str s);
bool same(const char* a, const char* b);
void copy_to(char* dst, Str s);  // dst has room for s.n + 1

enum class Num { kOk, kBad, kTooLarge };

// Decimal, or hex after "0x". No sign, no spaces, at least one digit;
// kTooLarge past 64 bits.
Num parse_number(Str s, uint64_t& out);

// "N", or "LO-HI" with LO <= HI (spaces around the '-' allowed): kBad when
// it is neither, kTooLarge when a number is past 64 bits.
Num parse_range(Str s, uint64_t& lo, uint64_t& hi);

// A comma-separated list of numbers and ranges ("3", "0,2", "4-7",
// "0, 8-11") as a bit set of `words` words, cleared first. Every number must
// be at most limit (< 64 * words). On failure `bad` is the first entry that
// is not a number or range (kBad, also for an empty entry) or is one past
// limit (kTooLarge); the set is then unspecified.
Num parse_number_set(Str list, uint64_t limit, uint64_t* bits, size_t words, Str& bad);

// Calls f(entry, index) for each comma-separated entry of list, trimmed and
// possibly empty, index from 1, while f returns true. False if f stopped it.
template <typename F>
bool for_each_entry(Str list, F&& f)
{
    for (unsigned index = 1;; ++index) {
        const size_t comma = list.find(',');
        if (!f(trim(list.upto(comma)), index)) {
            return false;
        }
        if (comma == list.n) {
            return true;
        }
        list = list.from(comma + 1);
    }
}

// Reports "file:line: ..." through reader.diag and marks the parse failed. A
// macro because Diag::report's format must stay a literal to be checked.
#define ATOLL_INI_ERROR(reader, fmt, ...)                                                             \
    do {                                                                                              \
        (reader).diag.report("%s:%u: " fmt, (reader).file, (reader).line __VA_OPT__(, ) __VA_ARGS__); \
        (reader).ok = false;                                                                          \
    } while (0)

// What a parser's messages say beyond the common ones.
struct Dialect {
    const char* kind;       // sections are [kind NAME], e.g. "program"
    bool nul_named;         // a NUL is "NUL byte at column N", not "byte 0x00 at ..."
    const char* text_hint;  // follows "expected text" for a non-printable byte
};

// What next() found on a line.
struct Item {
    enum Kind { kSection, kSetting } kind = kSetting;
    // kSection: NAME as written, empty when the header is malformed; kSetting: the key.
    Str name;
    Str value;           // kSetting: the value, trimmed (may be empty)
    bool named = false;  // kSection: the header is well formed and NAME is valid
};

class Reader {
public:
    Reader(const char* text, size_t len, const char* file, const Dialect& dialect, Diag& diag);

    // The next section header or setting, reporting the lines before it that
    // are neither (bad bytes, no '=') and malformed headers or names. False
    // at the end of the text. line is then the item's line.
    bool next(Item& out);

    // Hands every item to parser.section(item) or parser.setting(item), in
    // file order.
    template <typename P>
    void read(P& parser)
    {
        Item item;
        while (next(item)) {
            if (item.kind == Item::kSection) {
                parser.section(item);
            } else {
                parser.setting(item);
            }
        }
    }

    // For a kSetting: the index of key in keys[0, count), or -1 once
    // reported as unknown (`expected` lists the keys for the message) or as
    // outside any section. Headers that were not `named` still count as a
    // section, so their keys are checked without that second report.
    int key(const Item& item, const char* const* keys, unsigned count, const char* expected);

    // True the first time key k (< kMaxKeys) is set in this section; after
    // that reported as a duplicate naming the section as `shown`.
    bool first_time(unsigned k, const char* key_name, Str shown);

    // Where a named section goes among the `count` kept so far (each with
    // .name and .line): its index, with count grown, or -1 when it cannot be
    // kept: reported as a duplicate name, or (once) as more than max.
    template <typename T>
    int admit(Str name, const T* kept, uint32_t& count, uint32_t max)
    {
        for (uint32_t i = 0; i < count; ++i) {
            if (name.is(kept[i].name)) {
                duplicate_section(name, kept[i].line);
                return -1;
            }
        }
        if (count == max) {
            too_many_sections(name, max);
            return -1;
        }
        return static_cast<int>(count++);
    }

    // A NAME; `what` and `what2` say which one for the message ("server",
    // "talks" " entry"). True if valid, else reported.
    bool check_name(Str s, const char* what, const char* what2 = "");

    // A comma-separated list of NAMEs for `key` into names[0, max): each
    // valid, none empty or twice. Reports what is wrong and keeps the rest;
    // stops at the first past max.
    void name_list(const char* key, Str list, char (*names)[kNameMax], uint32_t max, uint32_t& count);

    // Where reports go; line may be set for reports after the last line.
    const char* file;
    uint32_t line = 0;
    Diag& diag;
    bool ok = true;
    // The current section's NAME as written (empty when malformed), for messages.
    Str section;

private:
    bool check_text(Str s);
    void header(Str s, Item& out);
    void duplicate_section(Str name, uint32_t first_line);
    void too_many_sections(Str name, uint32_t max);

    const char* text_;
    size_t len_;
    size_t pos_ = 0;
    const Dialect& dialect_;
    bool in_section_ = false;
    bool too_many_reported_ = false;
    uint32_t key_lines_[kMaxKeys] = {};
};

} // namespace atoll_os::ini
