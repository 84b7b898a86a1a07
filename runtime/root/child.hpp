// A program the root task started: its task, the memory it was given, and
// where that memory may appear in its address space.
#pragma once

#include <stdint.h>

#include "runtime/lib/boot_config.hpp"
#include "runtime/lib/elf.hpp"

namespace atoll_os::root {

// Memory reaches programs in chunks from sigma0, each also mapped into the
// root task (a window) so it can fill pages before handing them over.
struct Chunk {
    uint64_t slot;
    uint64_t window; // where the root task sees it
    uint64_t pages, used;
};

struct Child {
    static constexpr unsigned kMaxChunks = 24;
    enum class State : uint8_t { kUnused, kRunning, kEnded };

    const bootcfg::Program* config;
    uint32_t id;              // 1-based: the badge its capabilities carry
    uint32_t planned_core;    // where the placement planner put it
    State state;
    uint64_t task_slot;       // its Task
    uint64_t pager_slot;      // our endpoint, badged with its id: its faults and requests
    uint64_t serve_slot;      // the endpoint it serves (kNoSlot if none)
    const uint8_t* image;     // its ELF, in our module window
    uint64_t image_bytes;
    elf::Plan plan;
    uint64_t allowance;       // bytes of memory it may have (config `memory`)
    uint64_t given;           // bytes it has
    uint32_t chunk_count;
    Chunk chunks[kMaxChunks];
    int64_t exit_code;
    bool killed;
};

} // namespace atoll_os::root
