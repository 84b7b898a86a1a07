// The environment page: what a program learns at start about itself and
// the capabilities it was given, by name. The kernel writes the root task's
// (its capabilities are the boot modules); the root task writes one for
// every program it starts. Programs the kernel starts for tests have none.
#pragma once

#include <stdint.h>

namespace atoll_os {

struct ProgramEnv {
    static constexpr uint64_t kMagic = 0x564e454c4c4f5441ull; // "ATOLLENV"
    static constexpr unsigned kNameMax = 32, kArgsMax = 256, kMaxCaps = 48;

    struct NamedCap {
        char name[kNameMax];
        uint64_t slot;
        uint64_t bytes; // frames: their size; 0 otherwise
    };

    uint64_t magic;
    char name[kNameMax];
    uint32_t core;       // the core it runs on
    uint32_t core_count; // cores in the machine
    // A heap backed by the task's pager: memory appears where it is touched,
    // up to heap_bytes. heap_bytes 0: the program maps its own.
    uint64_t heap_base, heap_bytes;
    // The root task's only: the machine as the kernel found it (a
    // percpu/topology.hpp Topology, read-only), for the placement planner.
    uint64_t topology_va, topology_bytes;
    char args[kArgsMax];
    uint32_t cap_count;
    NamedCap caps[kMaxCaps];
};
static_assert(sizeof(ProgramEnv) <= 4096);

inline constexpr uint64_t kProgramEnvVa = 0x00007ff000000000ull; // read-only for the program
inline constexpr uint64_t kTopologyVa = 0x00007ff000010000ull;  // the root task's copy of the topology
inline constexpr uint64_t kUserHeapBase = 0x0000200000000000ull;  // where every program's heap starts
// The main thread's stack grows down from here; no more than kMainStackMax
// of address space below it is ever stack (so other threads' stacks, which
// live elsewhere, can be told apart).
inline constexpr uint64_t kMainStackTop = 0x00007fffffff0000ull;
inline constexpr uint64_t kMainStackMax = 1ull << 20;

// What the kernel gives the two tasks of an L4Re-style boot (sigma0 and the
// root task), besides slot 0 (itself) and slot 1 (the endpoint sigma0
// serves: its requests, and the root task's page faults).
namespace rootslots {
inline constexpr uint64_t kLog = 2;         // both: a log port
inline constexpr uint64_t kRootTask = 3;    // sigma0: the root task, to map memory into it
inline constexpr uint64_t kFirstModule = 4; // root task: a read-only frame per boot module, in order
// Root task: slot kCoreTasks + c is core c's core task (percpu/core_tasks.hpp;
// its own task for its own core): creating objects through it makes them
// on core c. Cores from kMaxCoreTasks on are not offered.
inline constexpr uint64_t kCoreTasks = 192;
inline constexpr uint32_t kMaxCoreTasks = 64;
} // namespace rootslots

} // namespace atoll_os
