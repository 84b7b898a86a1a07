// atoll-linux-bench: the Linux baselines that Atoll's figures stand next to.
// Google Benchmark drives the runs; hwloc pins both sides of every
// benchmark, to one PU (same_core) or to two different cores (cross_core).
//
// Besides Google Benchmark's own flags it takes
//   --atoll_pus=A[,B]   OS indices of the PUs to use (default: the first PU
//                       of core L#0 and of core L#1)
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/linux/benchmarks.hpp"
#include "bench/linux/harness.hpp"

namespace atoll_os::bench {
namespace {

using Body = void (*)(benchmark::State&, const Placement&);

struct Entry {
    const char* what;
    Body body;
    bool same_core;
    bool cross_core;
};

// The suite, in report order. Names are linux/<what>/<where>.
constexpr Entry kEntries[] = {
    {"futex_pingpong", futex_pingpong, true, true},
    {"pipe_pingpong", pipe_pingpong, true, true},
    {"eventfd_pingpong", eventfd_pingpong, true, true},
    {"unix_socket_roundtrip", unix_socket_roundtrip, true, true},
    // A yield switches only between threads that share a PU.
    {"sched_yield_switch", sched_yield_switch, true, false},
    // Spinning needs both sides running at once: cross-core only.
    {"cacheline_pingpong", cacheline_pingpong, false, true},
    {"atoll_channel_pingpong", atoll_channel_pingpong, false, true},
    {"atoll_channel_throughput", atoll_channel_throughput, false, true},
    {"atoll_urpc_pingpong", atoll_urpc_pingpong, false, true},
};

void register_all()
{
    const Placement same = machine().same_core();
    const Placement cross = machine().cross_core();
    for (const Entry& entry : kEntries) {
        const std::pair<bool, const Placement*> places[] = {{entry.same_core, &same}, {entry.cross_core, &cross}};
        for (const auto& [wanted, where] : places) {
            if (!wanted) {
                continue;
            }
            const std::string name =
                std::string("linux/") + entry.what + (where->cross_core ? "/cross_core" : "/same_core");
            // Wall time (Time) is what the counters report; CPU time is only
            // the benchmark thread's share. No UseRealTime(): it would append
            // "/real_time" to the names the rest of the suite keys on.
            benchmark::RegisterBenchmark(name.c_str(), entry.body, *where)->Unit(benchmark::kNanosecond);
        }
    }
}

// Takes --atoll_pus=... out of argv (Google Benchmark rejects flags it does
// not know) and returns its value.
std::string take_pus_flag(int& argc, char** argv)
{
    static constexpr char kFlag[] = "--atoll_pus=";
    std::string value;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], kFlag, sizeof kFlag - 1) == 0) {
            value = argv[i] + sizeof kFlag - 1;
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    argv[argc] = nullptr;
    return value;
}

int run(int argc, char** argv)
{
    // A partner process that dies makes a write fail with EPIPE (reported)
    // instead of killing the benchmark with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);

    const std::string pus = take_pus_flag(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    std::string error;
    if (!machine().init(pus, error)) {
        std::fprintf(stderr, "atoll-linux-bench: %s\n", error.c_str());
        return 1;
    }
    benchmark::AddCustomContext("atoll_topology", machine().describe_topology());
    benchmark::AddCustomContext("atoll_placement", machine().describe_placement());
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

} // namespace
} // namespace atoll_os::bench

int main(int argc, char** argv)
{
    return atoll_os::bench::run(argc, argv);
}
