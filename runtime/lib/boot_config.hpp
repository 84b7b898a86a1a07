// Boot configuration: the root task's boot.cfg, naming the programs to start and what each may use.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"

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
//   core      number < core_count                   0
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
// Each key at most once per section; program and server names unique.
namespace atoll_os::bootcfg {

inline constexpr unsigned kMaxPrograms = 64, kMaxCaps = 16, kNameMax = 32, kArgsMax = 256;

enum class CapKind : uint8_t { kLog, kMemory, kIrq, kIoPorts, kEndpoint };

// kIrq: a = b = the IRQ. kIoPorts: ports a..b inclusive. kEndpoint: name.
// Unused fields are zero.
struct CapRequest {
    CapKind kind;
    uint32_t a, b;
    char name[kNameMax];
};

// Strings are NUL-terminated. args is as written (trimmed); split it on
// spaces for argv[1..]. serves is empty unless the program has `server =`.
// line is where the [program NAME] header is.
struct Program {
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
// core_count is an error. Every error names file:line and
// what was expected, e.g. "boot.cfg:7: core = 9: this machine has 4 cores
// (0-3)". All errors are reported (not just the first); returns false if
// any, and `out` is then unspecified. Reads only text[0, len): no NUL needed.
bool parse(const char* text, size_t len, const char* file, uint32_t core_count, Config& out, Diag& diag);

} // namespace atoll_os::bootcfg
