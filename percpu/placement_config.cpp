// Placement request parser: the [program NAME] sections of a boot configuration, placement keys only.
#include "percpu/placement_config.hpp"

namespace atoll_os::placement {

namespace {

// Values quoted in messages are cut here so one absurd line cannot flood the log.
constexpr size_t kShowMax = 40;

// A piece of the input: never NUL-terminated, never read past n.
struct Str {
    const char* p = "";
    size_t n = 0;

    bool is(const char* lit) const
    {
        const size_t len = __builtin_strlen(lit);
        return n == len && __builtin_memcmp(p, lit, len) == 0;
    }
    Str from(size_t i) const { return i <= n ? Str{p + i, n - i} : Str{p + n, 0}; }
    Str upto(size_t i) const { return Str{p, i < n ? i : n}; }
    size_t find(char c) const
    {
        size_t i = 0;
        while (i < n && p[i] != c) ++i;
        return i;
    }
    int shown() const { return static_cast<int>(n < kShowMax ? n : kShowMax); }
    const char* more() const { return n > kShowMax ? "..." : ""; }
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

Str trim(Str s)
{
    while (s.n > 0 && is_space(s.p[0])) {
        ++s.p;
        --s.n;
    }
    while (s.n > 0 && is_space(s.p[s.n - 1])) --s.n;
    return s;
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

int digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decimal, or hex after "0x"; at most `limit`. False if malformed or larger.
bool parse_number(Str s, uint64_t limit, uint64_t& out)
{
    unsigned base = 10;
    if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
        base = 16;
        s = s.from(2);
    }
    if (s.n == 0) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; ++i) {
        const int d = digit_value(s.p[i]);
        if (d < 0 || static_cast<unsigned>(d) >= base) return false;
        v = v * base + static_cast<unsigned>(d);
        if (v > limit) return false;
    }
    out = v;
    return true;
}

void copy_to(char* dst, Str s)
{
    __builtin_memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
}

bool same(const char* a, const char* b)
{
    const size_t n = __builtin_strlen(a);
    return n == __builtin_strlen(b) && __builtin_memcmp(a, b, n) == 0;
}

enum Key : unsigned { kCore, kNode, kNear, kSpread, kTalks, kPlacementKeys };
constexpr const char* kKeyNames[kPlacementKeys] = {"core", "node", "near", "spread", "talks"};
// boot.cfg keys: accepted, checked by bootcfg::parse, not needed for placement.
constexpr const char* kBootKeys[] = {"image", "priority", "args", "caps", "memory", "server"};
constexpr unsigned kBootKeyCount = sizeof kBootKeys / sizeof kBootKeys[0];

// Prefixes every report with file:line and marks the parse failed. A macro
// because Diag::report's format must stay a literal to be checked.
#define PLACE_ERROR(fmt, ...)                                                          \
    do {                                                                               \
        diag_.report("%s:%u: " fmt, out_.file, line_ __VA_OPT__(, ) __VA_ARGS__);      \
        ok_ = false;                                                                   \
    } while (0)

class Parser {
public:
    Parser(Request& out, Diag& diag) : out_(out), diag_(diag) {}

    bool run(const char* text, size_t len)
    {
        size_t pos = 0;
        line_ = 1;
        while (pos < len) {
            size_t end = pos;
            while (end < len && text[end] != '\n') ++end;
            Str line{text + pos, end - pos};
            if (line.n > 0 && line.p[line.n - 1] == '\r') --line.n;
            parse_line(line);
            pos = end + 1;
            ++line_;
        }
        check_names();
        return ok_;
    }

private:
    void parse_line(Str line)
    {
        for (size_t i = 0; i < line.n; ++i) {
            const unsigned char c = static_cast<unsigned char>(line.p[i]);
            if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
                PLACE_ERROR("byte 0x%02x at column %zu is not printable ASCII (expected text)", c, i + 1);
                return;
            }
        }
        for (size_t i = 0; i < line.n; ++i) {
            if (line.p[i] == '#' && (i == 0 || is_space(line.p[i - 1]))) {
                line = line.upto(i);
                break;
            }
        }
        line = trim(line);
        if (line.n == 0) return;
        if (line.p[0] == '[') {
            parse_section(line);
        } else {
            parse_setting(line);
        }
    }

    bool check_name(Str s, const char* what)
    {
        if (s.n == 0) {
            PLACE_ERROR("%s is empty (expected 1-%u characters from a-z, 0-9, '_' and '-')", what, kNameMax - 1);
            return false;
        }
        if (s.n >= kNameMax) {
            PLACE_ERROR("%s '%.*s%s' is %zu characters (at most %u)", what, s.shown(), s.p, s.more(), s.n,
                        kNameMax - 1);
            return false;
        }
        for (size_t i = 0; i < s.n; ++i) {
            if (!is_name_char(s.p[i])) {
                PLACE_ERROR("%s '%.*s' has '%c' (expected a-z, 0-9, '_' and '-')", what, s.shown(), s.p, s.p[i]);
                return false;
            }
        }
        return true;
    }

    void parse_section(Str line)
    {
        in_section_ = true;
        current_ = &scratch_;
        for (uint32_t& l : key_lines_) l = 0;
        Str inner = line.from(1);
        if (inner.n == 0 || inner.p[inner.n - 1] != ']') {
            PLACE_ERROR("%.*s%s: expected [program NAME]", line.shown(), line.p, line.more());
            start(scratch_, Str{});
            return;
        }
        inner = trim(inner.upto(inner.n - 1));
        size_t word = 0;
        while (word < inner.n && !is_space(inner.p[word])) ++word;
        const Str kind = inner.upto(word);
        const Str name = trim(inner.from(word));
        if (!kind.is("program") || name.n == 0) {
            PLACE_ERROR("%.*s%s: expected [program NAME]", line.shown(), line.p, line.more());
            start(scratch_, Str{});
            return;
        }
        if (!check_name(name, "program name")) {
            start(scratch_, Str{});
            return;
        }
        for (uint32_t i = 0; i < out_.program_count; ++i) {
            if (name.is(out_.programs[i].name)) {
                PLACE_ERROR("[program %.*s]: duplicate program name (first at line %u)", name.shown(), name.p,
                            out_.programs[i].line);
                start(scratch_, name);
                return;
            }
        }
        if (out_.program_count == kMaxPrograms) {
            if (!too_many_reported_) {
                PLACE_ERROR("[program %.*s]: more than %u programs", name.shown(), name.p, kMaxPrograms);
                too_many_reported_ = true;
            }
            start(scratch_, name);
            return;
        }
        current_ = &out_.programs[out_.program_count++];
        start(*current_, name);
    }

    void start(ProgramRequest& p, Str name)
    {
        p.name[0] = '\0';
        if (name.n > 0 && name.n < kNameMax) copy_to(p.name, name);
        p.line = line_;
        p.cores.clear();
        p.core_line = 0;
        p.node = 0;
        p.node_line = 0;
        p.near[0] = '\0';
        p.near_line = 0;
        p.spread = Spread::kNone;
        p.spread_line = 0;
        p.talk_count = 0;
        p.talks_line = 0;
    }

    void parse_setting(Str line)
    {
        const size_t eq = line.find('=');
        if (eq == line.n) {
            PLACE_ERROR("'%.*s%s': expected 'key = value', '[program NAME]' or a comment", line.shown(), line.p,
                        line.more());
            return;
        }
        const Str key = trim(line.upto(eq));
        const Str value = trim(line.from(eq + 1));
        unsigned k = 0;
        while (k < kPlacementKeys && !key.is(kKeyNames[k])) ++k;
        bool boot_key = false;
        for (unsigned b = 0; b < kBootKeyCount && k == kPlacementKeys; ++b) boot_key = boot_key || key.is(kBootKeys[b]);
        if (k == kPlacementKeys && !boot_key) {
            PLACE_ERROR("unknown key '%.*s%s' (expected core, node, near, spread or talks, or a boot.cfg key: "
                        "image, priority, args, caps, memory, server)",
                        key.shown(), key.p, key.more());
            return;
        }
        if (!in_section_) {
            PLACE_ERROR("%.*s = %.*s%s: key outside a section (expected a [program NAME] line before it)",
                        key.shown(), key.p, value.shown(), value.p, value.more());
            return;
        }
        if (boot_key) return;
        if (key_lines_[k] != 0) {
            PLACE_ERROR("duplicate key '%s' in [program %s] (first at line %u)", kKeyNames[k], current_->name,
                        key_lines_[k]);
            return;
        }
        key_lines_[k] = line_;
        ProgramRequest& p = *current_;
        switch (k) {
        case kCore: set_cores(p, value); break;
        case kNode: set_node(p, value); break;
        case kNear: set_near(p, value); break;
        case kSpread: set_spread(p, value); break;
        case kTalks: set_talks(p, value); break;
        default: break;
        }
    }

    // "3", "0,2", "4-7", "0, 8-11": any one of these cores.
    void set_cores(ProgramRequest& p, Str v)
    {
        CoreSet set;
        set.clear();
        Str rest = v;
        for (;;) {
            const size_t comma = rest.find(',');
            const Str item = trim(rest.upto(comma));
            const size_t dash = item.find('-');
            uint64_t lo = 0, hi = 0;
            bool ok = false;
            if (dash == item.n) {
                ok = parse_number(item, kMaxCores - 1, lo);
                hi = lo;
            } else {
                ok = parse_number(trim(item.upto(dash)), kMaxCores - 1, lo) &&
                     parse_number(trim(item.from(dash + 1)), kMaxCores - 1, hi) && lo <= hi;
            }
            if (!ok) {
                PLACE_ERROR("core = %.*s%s: '%.*s' is not a core number or range below %u (expected e.g. "
                            "core = 3, core = 0,2 or core = 4-7)",
                            v.shown(), v.p, v.more(), item.shown(), item.p, kMaxCores);
                return;
            }
            for (uint64_t c = lo; c <= hi; ++c) set.add(static_cast<uint32_t>(c));
            if (comma == rest.n) break;
            rest = rest.from(comma + 1);
        }
        p.cores = set;
        p.core_line = line_;
    }

    void set_node(ProgramRequest& p, Str v)
    {
        uint64_t node = 0;
        if (!parse_number(v, kMaxNodes - 1, node)) {
            PLACE_ERROR("node = %.*s%s: expected a NUMA node number below %u", v.shown(), v.p, v.more(), kMaxNodes);
            return;
        }
        p.node = static_cast<uint32_t>(node);
        p.node_line = line_;
    }

    void set_near(ProgramRequest& p, Str v)
    {
        if (!check_name(v, "near")) return;
        copy_to(p.near, v);
        p.near_line = line_;
    }

    void set_spread(ProgramRequest& p, Str v)
    {
        if (v.is("package")) {
            p.spread = Spread::kPackage;
        } else if (v.is("node")) {
            p.spread = Spread::kNode;
        } else if (v.is("l3")) {
            p.spread = Spread::kL3;
        } else {
            PLACE_ERROR("spread = %.*s%s: expected package, node or l3", v.shown(), v.p, v.more());
            return;
        }
        p.spread_line = line_;
    }

    void set_talks(ProgramRequest& p, Str v)
    {
        p.talks_line = line_;
        if (v.n == 0) return;  // "talks =" lists nobody
        Str rest = v;
        for (unsigned item = 1;; ++item) {
            const size_t comma = rest.find(',');
            const Str name = trim(rest.upto(comma));
            if (name.n == 0) {
                PLACE_ERROR("talks: entry %u is empty (expected a program name between commas)", item);
            } else if (check_name(name, "talks entry")) {
                bool dup = false;
                for (uint32_t i = 0; i < p.talk_count; ++i) dup = dup || name.is(p.talks[i]);
                if (dup) {
                    PLACE_ERROR("talks: '%.*s' listed twice", name.shown(), name.p);
                } else if (p.talk_count == kMaxTalks) {
                    PLACE_ERROR("talks: more than %u programs", kMaxTalks);
                    return;
                } else {
                    copy_to(p.talks[p.talk_count++], name);
                }
            }
            if (comma == rest.n) break;
            rest = rest.from(comma + 1);
        }
    }

    // near and talks name programs of this file, never the program itself.
    void check_names()
    {
        for (uint32_t i = 0; i < out_.program_count; ++i) {
            const ProgramRequest& p = out_.programs[i];
            if (p.near_line != 0) {
                line_ = p.near_line;
                if (same(p.near, p.name)) {
                    PLACE_ERROR("[program %s] near = %s: a program cannot be near itself", p.name, p.near);
                } else if (out_.index_of(p.near) < 0) {
                    PLACE_ERROR("[program %s] near = %s: no [program %s] in this file", p.name, p.near, p.near);
                }
            }
            line_ = p.talks_line;
            for (uint32_t t = 0; t < p.talk_count; ++t) {
                if (same(p.talks[t], p.name)) {
                    PLACE_ERROR("[program %s] talks = ...%s...: a program does not talk to itself", p.name,
                                p.talks[t]);
                } else if (out_.index_of(p.talks[t]) < 0) {
                    PLACE_ERROR("[program %s] talks: no [program %s] in this file", p.name, p.talks[t]);
                }
            }
        }
    }

    Request& out_;
    Diag& diag_;
    uint32_t line_ = 0;
    bool ok_ = true;
    bool in_section_ = false;
    bool too_many_reported_ = false;
    ProgramRequest scratch_{};
    ProgramRequest* current_ = &scratch_;
    uint32_t key_lines_[kPlacementKeys] = {};
};

#undef PLACE_ERROR

} // namespace

const char* spread_name(Spread s)
{
    switch (s) {
    case Spread::kPackage: return "package";
    case Spread::kNode: return "node";
    case Spread::kL3: return "l3";
    case Spread::kNone: break;
    }
    return "none";
}

int Request::index_of(const char* name) const
{
    for (uint32_t i = 0; i < program_count; ++i)
        if (same(programs[i].name, name)) return static_cast<int>(i);
    return -1;
}

bool parse_request(const char* text, size_t len, const char* file, Request& out, Diag& diag)
{
    const char* f = file ? file : "(placement config)";
    size_t n = __builtin_strlen(f);
    if (n >= kFileMax) {
        f += n - (kFileMax - 1);  // keep the end: the file name itself
        n = kFileMax - 1;
    }
    __builtin_memcpy(out.file, f, n);
    out.file[n] = '\0';
    out.program_count = 0;
    Parser parser(out, diag);
    return parser.run(text, len);
}

} // namespace atoll_os::placement
