// Loading one program of the boot configuration into a new task: its image
// (paged in later), its environment page, the capabilities it asked for,
// its pager, and its first thread.
#pragma once

#include <stdint.h>

#include "kernel/abi/program_env.hpp"
#include "runtime/root/child.hpp"

namespace atoll_os::root {

// What the root task hands out.
struct Services {
    static constexpr unsigned kMaxServers = bootcfg::kMaxPrograms;
    const char* config_file; // its name, for messages that point at a line
    uint64_t pager;        // our endpoint: faults and memory requests (badged per program)
    uint64_t exits;        // notification the kernel signals when a program ends
    uint64_t console;      // the console's endpoint, kNoSlot without one
    uint32_t server_count;
    struct Server {
        const char* name;
        uint64_t slot;     // our unbadged capability to its endpoint
        uint32_t child;    // index of the program serving it
    } servers[kMaxServers];

    const Server* server(const char* name) const;
};

// The boot module called `name`: its bytes, mapped read-only into the root
// task (once). False if there is none.
bool find_module(const ProgramEnv& env, const char* name, const uint8_t*& bytes, uint64_t& size);

// The capability through which we create objects on `core` (our own task
// for ours, the kernel's core task for another: objects made through it
// live on that core); kNoSlot if the kernel offered none.
uint64_t core_slot(const ProgramEnv& env, uint32_t core);

// Starts `c` on its planned core; logs what went wrong and returns false if
// it cannot.
bool start_child(Child& c, const Services& services, const ProgramEnv& env);

} // namespace atoll_os::root
