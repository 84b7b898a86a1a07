// The program's environment page (kernel/abi/program_env.hpp): its name,
// core, arguments, and its capabilities by name.
#pragma once

#include <stdint.h>

#include "kernel/abi/program_env.hpp"

namespace atoll_os::user {

// nullptr for programs started without one (the kernel's test programs).
const ProgramEnv* program_env();
// The slot of the capability given under `name`, or kNoSlot (slots.hpp).
uint64_t env_cap(const char* name);
// Its size if it is a frame (0 if not, or absent).
uint64_t env_cap_bytes(const char* name);

// Set once by the start-up code.
void set_program_env(uint64_t env_va);

} // namespace atoll_os::user
