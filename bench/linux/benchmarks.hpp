// Linux baselines: the benchmark bodies, registered by main.cpp.
#pragma once

#include <benchmark/benchmark.h>

#include "bench/linux/harness.hpp"

namespace atoll_os::bench {

// Kernel-mediated round trips (kernel_ipc.cpp): each side blocks in the
// kernel until the other wakes it.
void futex_pingpong(benchmark::State& state, const Placement& where);
void pipe_pingpong(benchmark::State& state, const Placement& where);
void eventfd_pingpong(benchmark::State& state, const Placement& where);
void unix_socket_roundtrip(benchmark::State& state, const Placement& where);
void sched_yield_switch(benchmark::State& state, const Placement& where);

// Shared-memory messaging with both sides spinning (shared_memory.cpp).
void cacheline_pingpong(benchmark::State& state, const Placement& where);
void atoll_channel_pingpong(benchmark::State& state, const Placement& where);
void atoll_channel_throughput(benchmark::State& state, const Placement& where);
void atoll_urpc_pingpong(benchmark::State& state, const Placement& where);

} // namespace atoll_os::bench
