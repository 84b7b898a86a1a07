// Placement request parser: the [program NAME] sections of a boot configuration, placement keys only.
#include "percpu/placement_config.hpp"

namespace atoll_os::placement {

namespace {

using ini::Num;
using ini::Str;

constexpr ini::Dialect kDialect = {"program", false, ""};

enum Key : unsigned { kCore, kNode, kNear, kSpread, kTalks, kPlacementKeys };
// Then the boot.cfg keys: accepted, checked by bootcfg::parse, not needed for placement.
constexpr const char* kKeyNames[] = {"core",     "node", "near", "spread", "talks", "image",
                                     "priority", "args", "caps", "memory", "server"};
constexpr unsigned kKeyCount = sizeof kKeyNames / sizeof kKeyNames[0];
static_assert(kKeyCount <= ini::kMaxKeys);
static_assert(kTalks - kNode == static_cast<unsigned>(bootcfg::PlacementKey::kTalks), "node..talks in bootcfg's order");

#define PLACE_ERROR(...) ATOLL_INI_ERROR(in_, __VA_ARGS__)

class Parser {
public:
    Parser(const char* text, size_t len, Request& out, Diag& diag) : in_(text, len, out.file, kDialect, diag), out_(out)
    {
    }

    bool run()
    {
        in_.read(*this);
        bootcfg::check_placement_names(in_, out_.programs, out_.program_count);
        return in_.ok;
    }

    // Sections that cannot be kept still have their settings checked, into scratch_.
    void section(const ini::Item& item)
    {
        const int i = item.named ? in_.admit(item.name, out_.programs, out_.program_count, kMaxPrograms) : -1;
        current_ = i >= 0 ? &out_.programs[i] : &scratch_;
        start(*current_, item.named ? item.name : Str{});
    }

    void setting(const ini::Item& item)
    {
        const int k = in_.key(item, kKeyNames, kKeyCount,
                              "core, node, near, spread or talks, or a boot.cfg key: image, priority, args, caps, "
                              "memory, server");
        if (k < 0 || k >= static_cast<int>(kPlacementKeys)) return;
        if (!in_.first_time(static_cast<unsigned>(k), kKeyNames[k], ini::str(current_->name))) return;
        ProgramRequest& p = *current_;
        const Str value = item.value;
        if (k == kCore) {
            set_cores(p, value);
        } else {
            bootcfg::read_placement_key(in_, static_cast<bootcfg::PlacementKey>(k - kNode), value, p);
        }
    }

private:
    void start(ProgramRequest& p, Str name)
    {
        p.name[0] = '\0';
        if (name.n > 0 && name.n < kNameMax) ini::copy_to(p.name, name);
        p.line = in_.line;
        p.clear();
    }

    // "3", "0,2", "4-7", "0, 8-11": any one of these cores of any machine.
    void set_cores(ProgramRequest& p, Str v)
    {
        CoreSet set;
        Str bad;
        if (ini::parse_number_set(v, kMaxCores - 1, set.bits, kCoreWords, bad) != Num::kOk) {
            PLACE_ERROR("core = %.*s%s: '%.*s' is not a core number or range below %u (expected e.g. "
                        "core = 3, core = 0,2 or core = 4-7)",
                        v.shown(), v.p, v.more(), bad.shown(), bad.p, kMaxCores);
            return;
        }
        p.cores = set;
        p.core_line = in_.line;
    }

    ini::Reader in_;
    Request& out_;
    ProgramRequest scratch_{};
    ProgramRequest* current_ = &scratch_;
};

#undef PLACE_ERROR

} // namespace

int Request::index_of(const char* name) const
{
    for (uint32_t i = 0; i < program_count; ++i)
        if (ini::same(programs[i].name, name)) return static_cast<int>(i);
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
    Parser parser(text, len, out, diag);
    return parser.run();
}

} // namespace atoll_os::placement
