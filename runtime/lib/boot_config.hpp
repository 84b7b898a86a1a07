// Boot configuration: the root task's boot.cfg, naming the programs to start and what each may use.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "runtime/lib/ini.hpp"

// Grammar (one item per line; LF or CRLF; printable ASCII, spaces and tabs only):
//
//   line     = ws [ section | setting ] ws [ comment ]
//   comment  = "#" any*              ; only at line start or after whitespace,
//                                    ; so "--x=#1" in args is not a comment
//   section  = "[" ws "program" ws NAME ws "]"
//   setting  = KEY ws "=" ws value   ; value: the rest, trailing spaces dropped
//   NAME     = [a-z0-9_-]{1,31}      ; program, server and endpoint names
//   number   = decimal | "0x" hex
//
//   key       value                                default
//   image     boot module name, 1-31 chars, no spaces  the program name
//   core      number < core_count, or a list of      0
//             numbers and ranges "0,2", "4-7", "0, 8-11"
//             (cores < kMaxCores): any one of them
//   priority  number, 1..254                        100
//   args      rest of line, <= 255 chars            (none)
//   caps      comma-separated list (below), <= 16   (none)
//   memory    number with optional K/M/G suffix,     4M
//             a nonzero multiple of 4K
//   server    NAME of the endpoint this program serves (one per program)
//
//   caps:  log | memory | irq:<0-255> | ioport:<lo>-<hi> (0..0xffff, lo <= hi)
//          | endpoint:<NAME served by some program>
//
// The placement keys (percpu/placement_config.hpp has what the planner makes
// of them; the root task that does not plan uses `core`):
//
//   node      number < kMaxNodes: run on a core of this NUMA node
//   near      NAME of another program: share the closest cache with it
//   spread    package | node | l3: programs with the same value each get
//             their own package / node / L3 group
//   talks     comma-separated NAMEs of other programs, <= 16: exchanges
//             messages with them
//
// Each key at most once per section; program and server names unique.
namespace atoll_os::bootcfg {

inline constexpr unsigned kMaxPrograms = 64, kMaxCaps = 16, kNameMax = 32, kArgsMax = 256;
inline constexpr unsigned kMaxCores = 256;  // core lists name cores below this (topology's kMaxCores)
inline constexpr unsigned kMaxNodes = 64;   // node is below this (topology's kMaxNodes)
inline constexpr unsigned kMaxTalks = 16;   // names in one `talks =` line
inline constexpr unsigned kCoreWords = (kMaxCores + 63) / 64;

enum class Spread : uint8_t { kNone, kPackage, kNode, kL3 };

// "package", "node", "l3" (or "none" for kNone).
const char* spread_name(Spread s);

// A set of core numbers below kMaxCores.
struct CoreSet {
    uint64_t bits[kCoreWords];

    void clear()
    {
        for (uint64_t& w : bits) w = 0;
    }
    void add(uint32_t c)
    {
        if (c < kMaxCores) bits[c / 64] |= uint64_t{1} << (c % 64);
    }
    bool has(uint32_t c) const { return c < kMaxCores && ((bits[c / 64] >> (c % 64)) & 1) != 0; }
    uint32_t count() const
    {
        uint32_t n = 0;
        for (uint64_t w : bits) n += static_cast<uint32_t>(__builtin_popcountll(w));
        return n;
    }
    // The lowest member, or kMaxCores when empty.
    uint32_t first() const
    {
        for (uint32_t i = 0; i < kCoreWords; ++i)
            if (bits[i] != 0) return i * 64 + static_cast<uint32_t>(__builtin_ctzll(bits[i]));
        return kMaxCores;
    }
};

enum class CapKind : uint8_t { kLog, kMemory, kIrq, kIoPorts, kEndpoint };

// kIrq: a = b = the IRQ. kIoPorts: ports a..b inclusive. kEndpoint: name.
// Unused fields are zero.
struct CapRequest {
    CapKind kind;
    uint32_t a, b;
    char name[kNameMax];
};

// What a program asks of the placement planner (percpu/placement_config.hpp
// has what it makes of it). A *_line of 0 means the key is absent.
struct PlacementKeys {
    CoreSet cores;  // every core `core =` allows; empty when absent
    uint32_t core_line;
    uint32_t node;
    uint32_t node_line;
    char near[kNameMax];
    uint32_t near_line;
    Spread spread;
    uint32_t spread_line;
    uint32_t talk_count;
    char talks[kMaxTalks][kNameMax];
    uint32_t talks_line;

    void clear();  // every key absent
};

// Strings are NUL-terminated. args is as written (trimmed); split it on
// spaces for argv[1..]. serves is empty unless the program has `server =`.
// line is where the [program NAME] header is. core is the one core to use
// without a planner: as given, or the lowest of a list; 0 by default. (A
// single core >= kMaxCores, possible only on a machine with more, is in core
// alone, not in cores.)
struct Program : PlacementKeys {
    char name[kNameMax];
    char image[kNameMax];
    uint32_t core;
    uint8_t priority;
    char args[kArgsMax];
    uint64_t memory_bytes;
    uint32_t cap_count;
    CapRequest caps[kMaxCaps];
    char serves[kNameMax];
    uint32_t line;
};

// Programs in file order.
struct Config {
    uint32_t program_count;
    Program programs[kMaxPrograms];
};

// `file` is the name used in messages ("boot.cfg"). core_count: cores that
// exist (at least 1: the default core 0 is not checked); a core >=
// core_count is an error. near and talks must name other programs of the
// file; node is not checked against the machine (placement::plan does).
// Every error names file:line and what was expected, e.g. "boot.cfg:7: core
// = 9: this machine has 4 cores (0-3)". All errors are reported (not just
// the first); returns false if any, and `out` is then unspecified. Reads
// only text[0, len): no NUL needed.
bool parse(const char* text, size_t len, const char* file, uint32_t core_count, Config& out, Diag& diag);

// ---- For every parser of this format (also percpu/placement_config.cpp) ----

// The placement keys but core, which each parser checks against what it
// knows: reads the value into p, setting the key's line to the reader's, or
// reports what is wrong and leaves p.
enum class PlacementKey : uint8_t { kNode, kNear, kSpread, kTalks };
void read_placement_key(ini::Reader& in, PlacementKey key, ini::Str value, PlacementKeys& p);

// Reports a near or talks entry of `program` that names itself, or no
// program in the file (!exists), at in.line.
void check_near(ini::Reader& in, const char* program, const char* near, bool exists);
void check_talk(ini::Reader& in, const char* program, const char* other, bool exists);

// Once every program is known: near and talks of programs[0, count) (P is
// PlacementKeys with a name) name other programs among them. Reports the
// rest at their lines.
template <typename P>
void check_placement_names(ini::Reader& in, const P* programs, uint32_t count)
{
    const auto exists = [&](const char* name) {
        for (uint32_t i = 0; i < count; ++i) {
            if (ini::same(programs[i].name, name)) {
                return true;
            }
        }
        return false;
    };
    for (uint32_t i = 0; i < count; ++i) {
        const P& p = programs[i];
        if (p.near_line != 0) {
            in.line = p.near_line;
            check_near(in, p.name, p.near, exists(p.near));
        }
        in.line = p.talks_line;
        for (uint32_t t = 0; t < p.talk_count; ++t) {
            check_talk(in, p.name, p.talks[t], exists(p.talks[t]));
        }
    }
}

} // namespace atoll_os::bootcfg
