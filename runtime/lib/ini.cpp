// The boot.cfg dialect's tokenizer: line splitting, byte and comment rules, headers, settings, names and number lists.
#include "runtime/lib/ini.hpp"

namespace atoll_os::ini {

namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

bool is_space(char c) { return c == ' ' || c == '\t'; }

Str trim(Str s)
{
    while (s.n > 0 && is_space(s.p[0])) {
        ++s.p;
        --s.n;
    }
    while (s.n > 0 && is_space(s.p[s.n - 1])) {
        --s.n;
    }
    return s;
}

bool same(const char* a, const char* b)
{
    const size_t n = __builtin_strlen(a);
    return n == __builtin_strlen(b) && __builtin_memcmp(a, b, n) == 0;
}

void copy_to(char* dst, Str s)
{
    __builtin_memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
}

Num parse_number(Str s, uint64_t& out)
{
    unsigned base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        base = 16;
        s = s.from(2);
    }
    if (s.n == 0) {
        return Num::kBad;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; ++i) {
        const int d = hex_digit(s.p[i]);
        if (d < 0 || static_cast<unsigned>(d) >= base) {
            return Num::kBad;
        }
        if (v > (UINT64_MAX - static_cast<unsigned>(d)) / base) {
            return Num::kTooLarge;
        }
        v = v * base + static_cast<unsigned>(d);
    }
    out = v;
    return Num::kOk;
}

Num parse_range(Str s, uint64_t& lo, uint64_t& hi)
{
    const size_t dash = s.find('-');
    if (dash == s.n) {
        const Num n = parse_number(s, lo);
        hi = lo;
        return n;
    }
    const Num a = parse_number(trim(s.upto(dash)), lo);
    const Num b = parse_number(trim(s.from(dash + 1)), hi);
    if (a == Num::kBad || b == Num::kBad) {
        return Num::kBad;
    }
    if (a != Num::kOk || b != Num::kOk) {
        return Num::kTooLarge;
    }
    return lo <= hi ? Num::kOk : Num::kBad;
}

Num parse_number_set(Str list, uint64_t limit, uint64_t* bits, size_t words, Str& bad)
{
    for (size_t w = 0; w < words; ++w) {
        bits[w] = 0;
    }
    Num result = Num::kOk;
    for_each_entry(list, [&](Str entry, unsigned) {
        uint64_t lo = 0, hi = 0;
        result = parse_range(entry, lo, hi);
        if (result == Num::kOk && hi > limit) {
            result = Num::kTooLarge;
        }
        if (result != Num::kOk) {
            bad = entry;
            return false;
        }
        for (uint64_t c = lo; c <= hi; ++c) {
            bits[c / 64] |= uint64_t{1} << (c % 64);
        }
        return true;
    });
    return result;
}

Reader::Reader(const char* text, size_t len, const char* file_name, const Dialect& dialect, Diag& d)
    : file(file_name), diag(d), text_(text ? text : ""), len_(text ? len : 0), dialect_(dialect)
{
}

bool Reader::next(Item& out)
{
    while (pos_ < len_) {
        size_t end = pos_;
        while (end < len_ && text_[end] != '\n') {
            ++end;
        }
        Str s{text_ + pos_, end - pos_};
        if (s.n > 0 && s.p[s.n - 1] == '\r') {
            --s.n;  // CRLF
        }
        pos_ = end + 1;
        ++line;
        if (!check_text(s)) {
            continue;
        }
        for (size_t i = 0; i < s.n; ++i) {
            if (s.p[i] == '#' && (i == 0 || is_space(s.p[i - 1]))) {
                s = s.upto(i);
                break;
            }
        }
        s = trim(s);
        if (s.n == 0) {
            continue;
        }
        if (s.p[0] == '[') {
            header(s, out);
            return true;
        }
        const size_t eq = s.find('=');
        if (eq == s.n) {
            ATOLL_INI_ERROR(*this, "'%.*s%s': expected 'key = value', '[%s NAME]' or a comment", s.shown(), s.p,
                            s.more(), dialect_.kind);
            continue;
        }
        out = Item{Item::kSetting, trim(s.upto(eq)), trim(s.from(eq + 1)), false};
        return true;
    }
    return false;
}

bool Reader::check_text(Str s)
{
    for (size_t i = 0; i < s.n; ++i) {
        const unsigned char c = static_cast<unsigned char>(s.p[i]);
        if (c == 0 && dialect_.nul_named) {
            ATOLL_INI_ERROR(*this, "NUL byte at column %zu (expected text)", i + 1);
            return false;
        }
        if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
            ATOLL_INI_ERROR(*this, "byte 0x%02x at column %zu is not printable ASCII (expected text%s)", c, i + 1,
                            dialect_.text_hint);
            return false;
        }
    }
    return true;
}

void Reader::header(Str s, Item& out)
{
    // Whatever follows belongs to this header, valid or not, so its keys
    // are not also reported as outside a section.
    in_section_ = true;
    for (uint32_t& l : key_lines_) {
        l = 0;
    }
    section = Str{};
    out = Item{Item::kSection, Str{}, Str{}, false};

    Str inner = s.from(1);
    if (inner.n == 0 || inner.p[inner.n - 1] != ']') {
        ATOLL_INI_ERROR(*this, "%.*s%s: expected [%s NAME]", s.shown(), s.p, s.more(), dialect_.kind);
        return;
    }
    inner = trim(inner.upto(inner.n - 1));
    size_t word = 0;
    while (word < inner.n && !is_space(inner.p[word])) {
        ++word;
    }
    const Str kind = inner.upto(word);
    const Str name = trim(inner.from(word));
    if (!kind.is(dialect_.kind) || name.n == 0) {
        ATOLL_INI_ERROR(*this, "%.*s%s: expected [%s NAME]", s.shown(), s.p, s.more(), dialect_.kind);
        return;
    }
    section = name;
    out.name = name;
    out.named = check_name(name, dialect_.kind, " name");
}

int Reader::key(const Item& item, const char* const* keys, unsigned count, const char* expected)
{
    const Str k = item.name, v = item.value;
    unsigned i = 0;
    while (i < count && !k.is(keys[i])) {
        ++i;
    }
    if (i == count) {
        ATOLL_INI_ERROR(*this, "unknown key '%.*s%s' (expected %s)", k.shown(), k.p, k.more(), expected);
        return -1;
    }
    if (!in_section_) {
        ATOLL_INI_ERROR(*this, "%s = %.*s%s: key outside a section (expected a [%s NAME] line before it)", keys[i],
                        v.shown(), v.p, v.more(), dialect_.kind);
        return -1;
    }
    return static_cast<int>(i);
}

bool Reader::first_time(unsigned k, const char* key_name, Str shown)
{
    if (k >= kMaxKeys) {
        return true;
    }
    if (key_lines_[k] != 0) {
        ATOLL_INI_ERROR(*this, "duplicate key '%s' in [%s %.*s] (first at line %u)", key_name, dialect_.kind,
                        shown.shown(), shown.p, key_lines_[k]);
        return false;
    }
    key_lines_[k] = line;
    return true;
}

void Reader::duplicate_section(Str name, uint32_t first_line)
{
    ATOLL_INI_ERROR(*this, "[%s %.*s]: duplicate %s name (first at line %u)", dialect_.kind, name.shown(), name.p,
                    dialect_.kind, first_line);
}

void Reader::too_many_sections(Str name, uint32_t max)
{
    if (!too_many_reported_) {
        ATOLL_INI_ERROR(*this, "[%s %.*s]: more than %u %ss", dialect_.kind, name.shown(), name.p, max,
                        dialect_.kind);
        too_many_reported_ = true;
    }
}

bool Reader::check_name(Str s, const char* what, const char* what2)
{
    if (s.n == 0) {
        ATOLL_INI_ERROR(*this, "%s%s is empty (expected 1-%u characters from a-z, 0-9, '_' and '-')", what, what2,
                        kNameMax - 1);
        return false;
    }
    if (s.n >= kNameMax) {
        ATOLL_INI_ERROR(*this, "%s%s '%.*s%s' is %zu characters (at most %u)", what, what2, s.shown(), s.p, s.more(),
                        s.n, kNameMax - 1);
        return false;
    }
    for (size_t i = 0; i < s.n; ++i) {
        if (!is_name_char(s.p[i])) {
            ATOLL_INI_ERROR(*this, "%s%s '%.*s' has '%c' (expected a-z, 0-9, '_' and '-')", what, what2, s.shown(),
                            s.p, s.p[i]);
            return false;
        }
    }
    return true;
}

void Reader::name_list(const char* key_name, Str list, char (*names)[kNameMax], uint32_t max, uint32_t& count)
{
    if (list.n == 0) {
        return;  // "key =" lists nobody
    }
    for_each_entry(list, [&](Str name, unsigned index) {
        if (name.n == 0) {
            ATOLL_INI_ERROR(*this, "%s: entry %u is empty (expected a %s name between commas)", key_name, index,
                            dialect_.kind);
            return true;
        }
        if (!check_name(name, key_name, " entry")) {
            return true;
        }
        for (uint32_t i = 0; i < count; ++i) {
            if (name.is(names[i])) {
                ATOLL_INI_ERROR(*this, "%s: '%.*s' listed twice", key_name, name.shown(), name.p);
                return true;
            }
        }
        if (count == max) {
            ATOLL_INI_ERROR(*this, "%s: more than %u %ss", key_name, max, dialect_.kind);
            return false;
        }
        copy_to(names[count++], name);
        return true;
    });
}

} // namespace atoll_os::ini
