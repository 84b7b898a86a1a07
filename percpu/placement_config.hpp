// Placement requests: where each program of a boot configuration wants to run, and whom it talks to.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "percpu/topology.hpp"
#include "runtime/lib/boot_config.hpp"

// The same file format as the root task's boot.cfg (runtime/lib/boot_config.hpp),
// read by the same tokenizer (runtime/lib/ini.hpp): `[program NAME]`
// sections of `key = value` lines, `#` comments (at line start or after
// whitespace), NAME = [a-z0-9_-]{1,31}, numbers decimal or 0x hex. The
// placement keys:
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

inline constexpr unsigned kMaxPrograms = bootcfg::kMaxPrograms;
inline constexpr unsigned kNameMax = bootcfg::kNameMax;
inline constexpr unsigned kMaxTalks = bootcfg::kMaxTalks;  // names in one `talks =` line
inline constexpr unsigned kFileMax = 64;                   // file name kept for messages
inline constexpr unsigned kCoreWords = bootcfg::kCoreWords;
static_assert(bootcfg::kMaxCores == kMaxCores && bootcfg::kMaxNodes == kMaxNodes,
              "boot.cfg's core lists and nodes reach as far as the topology");

// The boot.cfg types: one request reads the same in both.
using Spread = bootcfg::Spread;
using CoreSet = bootcfg::CoreSet;  // a set of core numbers below kMaxCores
using bootcfg::spread_name;        // "package", "node", "l3" (or "none" for kNone)

// One [program NAME] section: its placement keys (cores, node, near,
// spread, talks and their lines; a *_line of 0 means the key is absent).
struct ProgramRequest : bootcfg::PlacementKeys {
    char name[kNameMax];
    uint32_t line;  // the [program NAME] line
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
