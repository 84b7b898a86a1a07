// Boot configuration parser: line by line, every error reported with file:line, then cross-program checks.
#include "runtime/lib/boot_config.hpp"

namespace atoll_os::bootcfg {

namespace {

using ini::Num;
using ini::Str;
using ini::copy_to;
using ini::parse_number;
using ini::same;
using ull = unsigned long long;

constexpr uint8_t kDefaultPriority = 100;
constexpr uint64_t kDefaultMemory = 4ull << 20;
constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kMaxIrq = 255, kMaxPort = 0xffff;
constexpr size_t kShowMax = ini::kShowMax;

constexpr ini::Dialect kDialect = {"program", true, "; spaces and tabs are the only whitespace"};

enum Key : unsigned {
    kImage, kCore, kPriority, kArgs, kCaps, kMemory, kServer,  // boot keys
    kNode, kNear, kSpread, kTalks,                             // placement-only keys
    kKeyCount
};
constexpr const char* kKeyNames[kKeyCount] = {"image",  "core",   "priority", "args",   "caps", "memory",
                                              "server", "node",   "near",     "spread", "talks"};
static_assert(kKeyCount <= ini::kMaxKeys);
static_assert(kTalks - kNode == static_cast<unsigned>(PlacementKey::kTalks), "node..talks in PlacementKey's order");

#define CFG_ERROR(...) ATOLL_INI_ERROR(in_, __VA_ARGS__)

class Parser {
public:
    Parser(const char* text, size_t len, const char* file, uint32_t core_count, Config& out, Diag& diag)
        : in_(text, len, file ? file : "(boot config)", kDialect, diag), core_count_(core_count), out_(out)
    {
    }

    bool run()
    {
        out_.program_count = 0;
        in_.read(*this);
        check_servers();
        check_endpoints();
        check_placement_names(in_, out_.programs, out_.program_count);
        return in_.ok;
    }

    // Sections that cannot be kept (malformed, bad or duplicate name, too
    // many) still have their settings checked, into scratch_.
    void section(const ini::Item& item)
    {
        current_index_ = item.named ? in_.admit(item.name, out_.programs, out_.program_count, kMaxPrograms) : -1;
        current_ = &scratch_;
        if (current_index_ >= 0) {
            current_ = &out_.programs[current_index_];
            caps_line_[current_index_] = 0;
            server_line_[current_index_] = 0;
        }
        start(*current_, item.named ? item.name : Str{});
    }

    void setting(const ini::Item& item)
    {
        const int k = in_.key(item, kKeyNames, kKeyCount,
                              "image, core, priority, args, caps, memory, server, node, near, spread or talks");
        if (k < 0 || !in_.first_time(static_cast<unsigned>(k), kKeyNames[k], in_.section)) {
            return;
        }
        Program& p = *current_;
        const Str value = item.value;
        switch (k) {
        case kImage: set_image(p, value); break;
        case kCore: set_core(p, value); break;
        case kPriority: set_priority(p, value); break;
        case kArgs: set_args(p, value); break;
        case kCaps: set_caps(p, value); break;
        case kMemory: set_memory(p, value); break;
        case kServer: set_server(p, value); break;
        case kNode:
        case kNear:
        case kSpread:
        case kTalks: read_placement_key(in_, static_cast<PlacementKey>(k - kNode), value, p); break;
        default: break;
        }
    }

private:
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
        p.line = in_.line;
        p.clear();
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

    // "3" (as it always was: any core of the machine), or a list of cores
    // and ranges "0,2", "4-7", "0, 8-11" (below kMaxCores): any one of them.
    // A leading '-' is not a range but a bad number.
    void set_core(Program& p, Str v)
    {
        if (v.find(',') < v.n || (v.n > 0 && v.from(1).find('-') < v.n - 1)) {
            set_core_list(p, v);
            return;
        }
        uint64_t core = 0;
        if (!number("core", v, core)) {
            return;
        }
        if (core >= core_count_) {
            no_such_core(v);
            return;
        }
        p.core = static_cast<uint32_t>(core);
        p.cores.clear();
        p.cores.add(p.core);
        p.core_line = in_.line;
    }

    void set_core_list(Program& p, Str v)
    {
        CoreSet set;
        Str bad;
        switch (ini::parse_number_set(v, kMaxCores - 1, set.bits, kCoreWords, bad)) {
        case Num::kOk: break;
        case Num::kBad:
            CFG_ERROR("core = %.*s%s: '%.*s' is not a core number or range (expected e.g. core = 3, core = 0,2 or "
                      "core = 4-7)",
                      v.shown(), v.p, v.more(), bad.shown(), bad.p);
            return;
        case Num::kTooLarge:
            if (core_count_ > kMaxCores) {
                CFG_ERROR("core = %.*s%s: '%.*s': lists and ranges name cores below %u", v.shown(), v.p, v.more(),
                          bad.shown(), bad.p, kMaxCores);
            } else {
                no_such_core(v);
            }
            return;
        }
        for (uint32_t c = core_count_; c < kMaxCores; ++c) {
            if (set.has(c)) {
                no_such_core(v);
                return;
            }
        }
        p.cores = set;
        p.core = set.first();
        p.core_line = in_.line;
    }

    void no_such_core(Str v)
    {
        if (core_count_ == 0) {
            CFG_ERROR("core = %.*s: this machine has no cores", v.shown(), v.p);
        } else if (core_count_ == 1) {
            CFG_ERROR("core = %.*s: this machine has 1 core (0)", v.shown(), v.p);
        } else {
            CFG_ERROR("core = %.*s: this machine has %u cores (0-%u)", v.shown(), v.p, core_count_, core_count_ - 1);
        }
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
        if (!in_.check_name(v, "server")) {
            return;
        }
        copy_to(p.serves, v);
        if (current_index_ >= 0) {
            server_line_[current_index_] = in_.line;
        }
    }

    void set_caps(Program& p, Str v)
    {
        if (current_index_ >= 0) {
            caps_line_[current_index_] = in_.line;
        }
        if (v.n == 0) {
            return;  // "caps =" grants nothing, same as leaving it out
        }
        bool too_many_reported = false;
        ini::for_each_entry(v, [&](Str cap, unsigned item) {
            if (cap.n == 0) {
                CFG_ERROR("caps: entry %u is empty (expected a capability between commas)", item);
            } else {
                CapRequest req{};
                if (parse_cap(cap, req)) {
                    add_cap(p, cap, req, too_many_reported);
                }
            }
            return true;
        });
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
            if (!in_.check_name(name, "caps: endpoint name")) {
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
                    in_.line = server_line_[i];
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
                    in_.line = caps_line_[i];
                    CFG_ERROR("caps: endpoint:%s: no program serves '%s' (expected a program with server = %s)",
                              p.caps[c].name, p.caps[c].name, p.caps[c].name);
                }
            }
        }
    }

    ini::Reader in_;
    uint32_t core_count_;
    Config& out_;
    Program* current_ = &scratch_;
    int current_index_ = -1;  // index in out_.programs, or -1 for scratch_
    // Where each accepted program's caps/server were, for the checks that
    // can only run once every program is known.
    uint32_t caps_line_[kMaxPrograms] = {};
    uint32_t server_line_[kMaxPrograms] = {};
    Program scratch_{};
};

#undef CFG_ERROR

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

void PlacementKeys::clear()
{
    cores.clear();
    core_line = 0;
    node = 0;
    node_line = 0;
    near[0] = '\0';
    near_line = 0;
    spread = Spread::kNone;
    spread_line = 0;
    talk_count = 0;
    talks_line = 0;
}

void read_placement_key(ini::Reader& in, PlacementKey key, Str v, PlacementKeys& p)
{
    switch (key) {
    case PlacementKey::kNode: {
        uint64_t node = 0;
        if (parse_number(v, node) != Num::kOk || node >= kMaxNodes) {
            ATOLL_INI_ERROR(in, "node = %.*s%s: expected a NUMA node number below %u", v.shown(), v.p, v.more(),
                            kMaxNodes);
            return;
        }
        p.node = static_cast<uint32_t>(node);
        p.node_line = in.line;
        return;
    }
    case PlacementKey::kNear:
        if (in.check_name(v, "near")) {
            copy_to(p.near, v);
            p.near_line = in.line;
        }
        return;
    case PlacementKey::kSpread: {
        constexpr Spread kNamed[] = {Spread::kPackage, Spread::kNode, Spread::kL3};
        for (Spread s : kNamed) {
            if (v.is(spread_name(s))) {
                p.spread = s;
                p.spread_line = in.line;
                return;
            }
        }
        ATOLL_INI_ERROR(in, "spread = %.*s%s: expected package, node or l3", v.shown(), v.p, v.more());
        return;
    }
    case PlacementKey::kTalks:
        p.talks_line = in.line;
        in.name_list("talks", v, p.talks, kMaxTalks, p.talk_count);
        return;
    }
}

void check_near(ini::Reader& in, const char* program, const char* near, bool exists)
{
    if (same(near, program)) {
        ATOLL_INI_ERROR(in, "[program %s] near = %s: a program cannot be near itself", program, near);
    } else if (!exists) {
        ATOLL_INI_ERROR(in, "[program %s] near = %s: no [program %s] in this file", program, near, near);
    }
}

void check_talk(ini::Reader& in, const char* program, const char* other, bool exists)
{
    if (same(other, program)) {
        ATOLL_INI_ERROR(in, "[program %s] talks = ...%s...: a program does not talk to itself", program, other);
    } else if (!exists) {
        ATOLL_INI_ERROR(in, "[program %s] talks: no [program %s] in this file", program, other);
    }
}

bool parse(const char* text, size_t len, const char* file, uint32_t core_count, Config& out, Diag& diag)
{
    Parser parser(text, len, file, core_count, out, diag);
    return parser.run();
}

} // namespace atoll_os::bootcfg
