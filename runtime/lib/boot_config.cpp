// Boot configuration parser: line by line, every error reported with file:line, then cross-program checks.
#include "runtime/lib/boot_config.hpp"

namespace atoll_os::bootcfg {

namespace {

using ull = unsigned long long;

constexpr uint8_t kDefaultPriority = 100;
constexpr uint64_t kDefaultMemory = 4ull << 20;
constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kMaxIrq = 255, kMaxPort = 0xffff;

// Values quoted in messages are cut here so one absurd line cannot flood the log.
constexpr size_t kShowMax = 40;

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

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

enum class Num { kOk, kBad, kTooLarge };

// Decimal, or hex after "0x". No sign, no spaces, at least one digit.
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

enum Key : unsigned { kImage, kCore, kPriority, kArgs, kCaps, kMemory, kServer, kKeyCount };
constexpr const char* kKeyNames[kKeyCount] = {"image", "core", "priority", "args", "caps", "memory", "server"};

// Prefixes every report with file:line and marks the parse failed. A macro
// because Diag::report's format must stay a literal to be checked.
#define CFG_ERROR(fmt, ...)                                                            \
    do {                                                                               \
        diag_.report("%s:%u: " fmt, file_, line_ __VA_OPT__(, ) __VA_ARGS__);          \
        ok_ = false;                                                                   \
    } while (0)

class Parser {
public:
    Parser(const char* file, uint32_t core_count, Config& out, Diag& diag)
        : file_(file ? file : "(boot config)"), core_count_(core_count), out_(out), diag_(diag)
    {
    }

    bool run(const char* text, size_t len)
    {
        out_.program_count = 0;
        size_t pos = 0;
        line_ = 1;
        while (pos < len) {
            size_t end = pos;
            while (end < len && text[end] != '\n') {
                ++end;
            }
            Str line{text + pos, end - pos};
            if (line.n > 0 && line.p[line.n - 1] == '\r') {
                --line.n;  // CRLF
            }
            parse_line(line);
            pos = end + 1;
            ++line_;
        }
        check_servers();
        check_endpoints();
        return ok_;
    }

private:
    void parse_line(Str line)
    {
        for (size_t i = 0; i < line.n; ++i) {
            const unsigned char c = static_cast<unsigned char>(line.p[i]);
            if (c == 0) {
                CFG_ERROR("NUL byte at column %zu (expected text)", i + 1);
                return;
            }
            if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
                CFG_ERROR("byte 0x%02x at column %zu is not printable ASCII (expected text; spaces and tabs "
                          "are the only whitespace)",
                          c, i + 1);
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
        if (line.n == 0) {
            return;
        }
        if (line.p[0] == '[') {
            parse_section(line);
        } else {
            parse_setting(line);
        }
    }

    // Checks a NAME; `what` says which one for the message.
    bool check_name(Str s, const char* what)
    {
        if (s.n == 0) {
            CFG_ERROR("%s is empty (expected 1-%u characters from a-z, 0-9, '_' and '-')", what, kNameMax - 1);
            return false;
        }
        if (s.n >= kNameMax) {
            CFG_ERROR("%s '%.*s%s' is %zu characters (at most %u)", what, s.shown(), s.p, s.more(), s.n, kNameMax - 1);
            return false;
        }
        for (size_t i = 0; i < s.n; ++i) {
            if (!is_name_char(s.p[i])) {
                CFG_ERROR("%s '%.*s' has '%c' (expected a-z, 0-9, '_' and '-')", what, s.shown(), s.p, s.p[i]);
                return false;
            }
        }
        return true;
    }

    void parse_section(Str line)
    {
        // Whatever follows belongs to this header, valid or not, so its keys
        // are not also reported as outside a section.
        in_section_ = true;
        current_ = &scratch_;
        current_index_ = -1;
        for (uint32_t& l : key_lines_) {
            l = 0;
        }
        section_name_ = Str{};

        Str inner = line.from(1);
        if (inner.n == 0 || inner.p[inner.n - 1] != ']') {
            CFG_ERROR("%.*s%s: expected [program NAME]", line.shown(), line.p, line.more());
            start(scratch_, Str{});
            return;
        }
        inner = trim(inner.upto(inner.n - 1));
        size_t word = 0;
        while (word < inner.n && !is_space(inner.p[word])) {
            ++word;
        }
        const Str kind = inner.upto(word);
        const Str name = trim(inner.from(word));
        if (!kind.is("program") || name.n == 0) {
            CFG_ERROR("%.*s%s: expected [program NAME]", line.shown(), line.p, line.more());
            start(scratch_, Str{});
            return;
        }
        section_name_ = name;
        if (!check_name(name, "program name")) {
            start(scratch_, Str{});
            return;
        }
        for (uint32_t i = 0; i < out_.program_count; ++i) {
            const Program& p = out_.programs[i];
            if (name.is(p.name)) {
                CFG_ERROR("[program %.*s]: duplicate program name (first at line %u)", name.shown(), name.p, p.line);
                start(scratch_, name);
                return;
            }
        }
        if (out_.program_count == kMaxPrograms) {
            if (!too_many_programs_reported_) {
                CFG_ERROR("[program %.*s]: more than %u programs", name.shown(), name.p, kMaxPrograms);
                too_many_programs_reported_ = true;
            }
            start(scratch_, name);
            return;
        }
        current_index_ = static_cast<int>(out_.program_count);
        current_ = &out_.programs[out_.program_count++];
        caps_line_[current_index_] = 0;
        server_line_[current_index_] = 0;
        start(*current_, name);
    }

    void start(Program& p, Str name)
    {
        p.name[0] = '\0';
        p.image[0] = '\0';
        if (name.n > 0 && name.n < kNameMax) {
            copy_to(p.name, name);
            copy_to(p.image, name);
        }
        p.core = 0;
        p.priority = kDefaultPriority;
        p.args[0] = '\0';
        p.memory_bytes = kDefaultMemory;
        p.cap_count = 0;
        p.serves[0] = '\0';
        p.line = line_;
    }

    void parse_setting(Str line)
    {
        const size_t eq = line.find('=');
        if (eq == line.n) {
            CFG_ERROR("'%.*s%s': expected 'key = value', '[program NAME]' or a comment", line.shown(), line.p,
                      line.more());
            return;
        }
        const Str key = trim(line.upto(eq));
        const Str value = trim(line.from(eq + 1));
        unsigned k = 0;
        while (k < kKeyCount && !key.is(kKeyNames[k])) {
            ++k;
        }
        if (k == kKeyCount) {
            CFG_ERROR("unknown key '%.*s%s' (expected image, core, priority, args, caps, memory or server)",
                      key.shown(), key.p, key.more());
            return;
        }
        if (!in_section_) {
            CFG_ERROR("%s = %.*s%s: key outside a section (expected a [program NAME] line before it)", kKeyNames[k],
                      value.shown(), value.p, value.more());
            return;
        }
        if (key_lines_[k] != 0) {
            CFG_ERROR("duplicate key '%s' in [program %.*s] (first at line %u)", kKeyNames[k], section_name_.shown(),
                      section_name_.p, key_lines_[k]);
            return;
        }
        key_lines_[k] = line_;
        Program& p = *current_;
        switch (k) {
        case kImage: set_image(p, value); break;
        case kCore: set_core(p, value); break;
        case kPriority: set_priority(p, value); break;
        case kArgs: set_args(p, value); break;
        case kCaps: set_caps(p, value); break;
        case kMemory: set_memory(p, value); break;
        case kServer: set_server(p, value); break;
        default: break;
        }
    }

    void set_image(Program& p, Str v)
    {
        if (v.n == 0) {
            CFG_ERROR("image = : expected a boot module name");
            return;
        }
        if (v.n >= kNameMax) {
            CFG_ERROR("image = %.*s%s: boot module name is %zu characters (at most %u)", v.shown(), v.p, v.more(), v.n,
                      kNameMax - 1);
            return;
        }
        if (v.find(' ') < v.n || v.find('\t') < v.n) {
            CFG_ERROR("image = %.*s: expected one boot module name without spaces", v.shown(), v.p);
            return;
        }
        copy_to(p.image, v);
    }

    // Shared by every numeric key: true with `out` set, or reported.
    bool number(const char* key, Str v, uint64_t& out)
    {
        switch (parse_number(v, out)) {
        case Num::kOk: return true;
        case Num::kBad:
            CFG_ERROR("%s = %.*s%s: expected a number (decimal or 0x hex)", key, v.shown(), v.p, v.more());
            return false;
        case Num::kTooLarge:
            CFG_ERROR("%s = %.*s%s: number too large", key, v.shown(), v.p, v.more());
            return false;
        }
        return false;
    }

    void set_core(Program& p, Str v)
    {
        uint64_t core = 0;
        if (!number("core", v, core)) {
            return;
        }
        if (core >= core_count_) {
            if (core_count_ == 0) {
                CFG_ERROR("core = %.*s: this machine has no cores", v.shown(), v.p);
            } else if (core_count_ == 1) {
                CFG_ERROR("core = %.*s: this machine has 1 core (0)", v.shown(), v.p);
            } else {
                CFG_ERROR("core = %.*s: this machine has %u cores (0-%u)", v.shown(), v.p, core_count_,
                          core_count_ - 1);
            }
            return;
        }
        p.core = static_cast<uint32_t>(core);
    }

    void set_priority(Program& p, Str v)
    {
        uint64_t prio = 0;
        if (!number("priority", v, prio)) {
            return;
        }
        if (prio < 1 || prio > 254) {
            CFG_ERROR("priority = %.*s: expected 1..254", v.shown(), v.p);
            return;
        }
        p.priority = static_cast<uint8_t>(prio);
    }

    void set_args(Program& p, Str v)
    {
        if (v.n >= kArgsMax) {
            CFG_ERROR("args = %.*s...: %zu characters (at most %u)", static_cast<int>(kShowMax), v.p, v.n,
                      kArgsMax - 1);
            return;
        }
        copy_to(p.args, v);
    }

    void set_memory(Program& p, Str v)
    {
        uint64_t scale = 1;
        Str digits = v;
        if (v.n > 0) {
            switch (v.p[v.n - 1]) {
            case 'K': case 'k': scale = 1ull << 10; break;
            case 'M': case 'm': scale = 1ull << 20; break;
            case 'G': case 'g': scale = 1ull << 30; break;
            default: break;
            }
            if (scale != 1) {
                digits = v.upto(v.n - 1);
            }
        }
        uint64_t n = 0;
        switch (parse_number(digits, n)) {
        case Num::kOk: break;
        case Num::kBad:
            CFG_ERROR("memory = %.*s%s: expected a number with an optional K, M or G suffix", v.shown(), v.p, v.more());
            return;
        case Num::kTooLarge:
            CFG_ERROR("memory = %.*s%s: number too large", v.shown(), v.p, v.more());
            return;
        }
        if (n > UINT64_MAX / scale) {
            CFG_ERROR("memory = %.*s: too large for 64 bits", v.shown(), v.p);
            return;
        }
        const uint64_t bytes = n * scale;
        if (bytes == 0) {
            CFG_ERROR("memory = %.*s: expected at least 4K", v.shown(), v.p);
            return;
        }
        if (bytes % kPageSize != 0) {
            CFG_ERROR("memory = %.*s: %llu bytes is not a multiple of 4K (the page size)", v.shown(), v.p, ull(bytes));
            return;
        }
        p.memory_bytes = bytes;
    }

    void set_server(Program& p, Str v)
    {
        if (!check_name(v, "server")) {
            return;
        }
        copy_to(p.serves, v);
        if (current_index_ >= 0) {
            server_line_[current_index_] = line_;
        }
    }

    void set_caps(Program& p, Str v)
    {
        if (current_index_ >= 0) {
            caps_line_[current_index_] = line_;
        }
        if (v.n == 0) {
            return;  // "caps =" grants nothing, same as leaving it out
        }
        Str rest = v;
        unsigned item = 1;
        bool too_many_reported = false;
        for (;;) {
            const size_t comma = rest.find(',');
            const Str cap = trim(rest.upto(comma));
            if (cap.n == 0) {
                CFG_ERROR("caps: entry %u is empty (expected a capability between commas)", item);
            } else {
                CapRequest req{};
                if (parse_cap(cap, req)) {
                    add_cap(p, cap, req, too_many_reported);
                }
            }
            if (comma == rest.n) {
                break;
            }
            rest = rest.from(comma + 1);
            ++item;
        }
    }

    void add_cap(Program& p, Str text, const CapRequest& req, bool& too_many_reported)
    {
        for (uint32_t i = 0; i < p.cap_count; ++i) {
            const CapRequest& c = p.caps[i];
            if (c.kind == req.kind && c.a == req.a && c.b == req.b && same(c.name, req.name)) {
                CFG_ERROR("caps: '%.*s%s' listed twice", text.shown(), text.p, text.more());
                return;
            }
        }
        if (p.cap_count == kMaxCaps) {
            if (!too_many_reported) {
                CFG_ERROR("caps: more than %u capabilities", kMaxCaps);
                too_many_reported = true;
            }
            return;
        }
        p.caps[p.cap_count++] = req;
    }

    bool parse_cap(Str cap, CapRequest& req)
    {
        if (cap.is("log")) {
            req.kind = CapKind::kLog;
            return true;
        }
        if (cap.is("memory")) {
            req.kind = CapKind::kMemory;
            return true;
        }
        if (cap.starts_with("irq:")) {
            uint64_t irq = 0;
            if (parse_number(cap.from(4), irq) != Num::kOk || irq > kMaxIrq) {
                CFG_ERROR("caps: '%.*s%s': expected irq:<n> with n 0-%u", cap.shown(), cap.p, cap.more(), kMaxIrq);
                return false;
            }
            req.kind = CapKind::kIrq;
            req.a = req.b = static_cast<uint32_t>(irq);
            return true;
        }
        if (cap.starts_with("ioport:")) {
            const Str range = cap.from(7);
            const size_t dash = range.find('-');
            uint64_t lo = 0, hi = 0;
            if (dash == range.n || parse_number(range.upto(dash), lo) != Num::kOk ||
                parse_number(range.from(dash + 1), hi) != Num::kOk || lo > kMaxPort || hi > kMaxPort) {
                CFG_ERROR("caps: '%.*s%s': expected ioport:<lo>-<hi> with ports 0-0xffff", cap.shown(), cap.p,
                          cap.more());
                return false;
            }
            if (lo > hi) {
                CFG_ERROR("caps: '%.*s': ioport range starts at 0x%llx, after its end 0x%llx", cap.shown(), cap.p,
                          ull(lo), ull(hi));
                return false;
            }
            req.kind = CapKind::kIoPorts;
            req.a = static_cast<uint32_t>(lo);
            req.b = static_cast<uint32_t>(hi);
            return true;
        }
        if (cap.starts_with("endpoint:")) {
            const Str name = cap.from(9);
            if (!check_name(name, "caps: endpoint name")) {
                return false;
            }
            req.kind = CapKind::kEndpoint;
            copy_to(req.name, name);
            return true;
        }
        CFG_ERROR("caps: unknown capability '%.*s%s' (expected log, memory, irq:<n>, ioport:<lo>-<hi> or "
                  "endpoint:<name>)",
                  cap.shown(), cap.p, cap.more());
        return false;
    }

    // Two programs cannot both own a name; the later one is wrong.
    void check_servers()
    {
        for (uint32_t i = 0; i < out_.program_count; ++i) {
            const Program& p = out_.programs[i];
            if (p.serves[0] == '\0') {
                continue;
            }
            for (uint32_t j = 0; j < i; ++j) {
                const Program& q = out_.programs[j];
                if (same(p.serves, q.serves)) {
                    line_ = server_line_[i];
                    CFG_ERROR("server = %s: already served by program '%s' (line %u)", p.serves, q.name,
                              server_line_[j]);
                    break;
                }
            }
        }
    }

    void check_endpoints()
    {
        for (uint32_t i = 0; i < out_.program_count; ++i) {
            const Program& p = out_.programs[i];
            for (uint32_t c = 0; c < p.cap_count; ++c) {
                if (p.caps[c].kind != CapKind::kEndpoint) {
                    continue;
                }
                bool served = false;
                for (uint32_t j = 0; j < out_.program_count && !served; ++j) {
                    served = same(out_.programs[j].serves, p.caps[c].name);
                }
                if (!served) {
                    line_ = caps_line_[i];
                    CFG_ERROR("caps: endpoint:%s: no program serves '%s' (expected a program with server = %s)",
                              p.caps[c].name, p.caps[c].name, p.caps[c].name);
                }
            }
        }
    }

    const char* file_;
    uint32_t core_count_;
    Config& out_;
    Diag& diag_;
    bool ok_ = true;
    uint32_t line_ = 1;

    bool in_section_ = false;
    bool too_many_programs_reported_ = false;
    Program* current_ = nullptr;
    int current_index_ = -1;     // index in out_.programs, or -1 for scratch_
    Str section_name_;           // as written, for messages
    uint32_t key_lines_[kKeyCount] = {};
    // Where each accepted program's caps/server were, for the checks that
    // can only run once every program is known.
    uint32_t caps_line_[kMaxPrograms] = {};
    uint32_t server_line_[kMaxPrograms] = {};
    // Sections that cannot be kept (bad or duplicate name, too many) still
    // have their settings checked, into this.
    Program scratch_{};
};

#undef CFG_ERROR

} // namespace

bool parse(const char* text, size_t len, const char* file, uint32_t core_count, Config& out, Diag& diag)
{
    Parser parser(file, core_count, out, diag);
    return parser.run(text, text ? len : 0);
}

} // namespace atoll_os::bootcfg
