// Placement requests: where each program of a boot configuration wants to run, and whom it talks to.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "percpu/topology.hpp"

// The same file format as the root task's boot.cfg (runtime/lib/boot_config.hpp):
// `[program NAME]` sections of `key = value` lines, `#` comments (at line
// start or after whitespace), NAME = [a-z0-9_-]{1,31}, numbers decimal or 0x
// hex. The placement keys:
//
//   key      value                                   meaning
//   core     N, or a list "0,2" / range "4-7"        run on this core (a list: any one of them)
//   node     N                                       run on a core of NUMA node N
//   near     NAME                                    share the closest cache level with NAME
//   spread   package | node | l3                     every program with the same value gets
//                                                    its own package / node / L3 group
//   talks    NAME, NAME, ...                         exchanges messages with these programs
//                                                    (symmetric: listing it on one side is enough)
//
// The boot.cfg keys image, priority, args, caps, memory and server are
// accepted and ignored here (bootcfg::parse checks them). Core and node
// numbers are checked against the machine by placement::plan, which knows it.
namespace atoll_os::placement {

inline constexpr unsigned kMaxPrograms = 64;  // as bootcfg::kMaxPrograms
inline constexpr unsigned kNameMax = 32;      // as bootcfg::kNameMax
inline constexpr unsigned kMaxTalks = 16;     // names in one `talks =` line
inline constexpr unsigned kFileMax = 64;      // file name kept for messages
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

// One [program NAME] section. A *_line of 0 means the key is absent.
struct ProgramRequest {
    char name[kNameMax];
    uint32_t line;  // the [program NAME] line
    CoreSet cores;
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
};

// Programs in file order (about 41 KiB: keep it static, not on a kernel
// stack). file is the name used in messages.
struct Request {
    char file[kFileMax];
    uint32_t program_count;
    ProgramRequest programs[kMaxPrograms];

    int index_of(const char* name) const;  // -1 if no program has that name
};

// Parses text[0, len) (no NUL needed). Every error names file:line and what
// was expected, e.g. "boot.cfg:7: spread = rack: expected package, node or l3";
// all errors are reported. Returns false if any; `out` is then unspecified.
// Names in near/talks must be programs of the same file (checked here).
bool parse_request(const char* text, size_t len, const char* file, Request& out, Diag& diag);

} // namespace atoll_os::placement
