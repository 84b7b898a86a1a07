// The root task's placement: the same planner ./atoll place runs on the
// host (percpu/placement.hpp), here against the topology the kernel found.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/program_env.hpp"
#include "runtime/lib/boot_config.hpp"

namespace atoll_os::root {

// Plans one core per program of the configuration text, logs the plan
// (one "placement: program ..." line each, as atoll-place prints them) and
// fills cores[i] for program i. False, with the reasons logged, when the
// requests cannot be met.
bool place_programs(const char* text, size_t len, const char* file, const ProgramEnv& env,
                    uint32_t (&cores)[bootcfg::kMaxPrograms]);

} // namespace atoll_os::root
