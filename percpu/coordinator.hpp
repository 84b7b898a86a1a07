// Core 0's role after boot: run the in-kernel tests on every core and shut
// the machine down, collecting answers over the channels.
#pragma once

#include <stdint.h>

namespace atoll_os {

// Runs the tests the filter names on core 0, then on every other online
// core; prints one KTEST-SUMMARY line; returns the number of failures.
uint32_t run_tests_everywhere(const char* filter);

// Stops every other core (each acknowledges with its message counts, which
// must match ours), prints "atoll: shutdown status=S" and exits.
[[noreturn]] void shutdown_machine(int status);

} // namespace atoll_os
