// Instructions retired and core cycles from the hardware counters, where the
// kernel started them (kCoreInfo says which; kernel/arch/x86_64/perf_counters.hpp).
// Both count kernel and user mode, on this core only: a figure that spans
// cores (a cross-core round trip) gets only this core's share, so only the
// same-core measurements (measure.hpp) use them. Under TCG and on
// hypervisors without a virtual PMU there are none, and nothing is read.
#pragma once

#include <stdint.h>

#include "kernel/abi/syscalls.hpp"
#include "runtime/lib/user/tasks.hpp"

namespace atoll_os::bench {

struct CounterReading {
    uint64_t instructions, cycles;
};

class Counters {
public:
    static const Counters& here()
    {
        static const Counters c(user::core_info().counters);
        return c;
    }
    bool available() const { return kind_ != sys::kCountersNone; }
    // A reading to measure from (zeros where there are no counters).
    CounterReading start() const { return available() ? read() : CounterReading{}; }
    // What the counters advanced since `start`, wrapping at their width.
    CounterReading since(const CounterReading& start) const
    {
        const CounterReading now = read();
        return {(now.instructions - start.instructions) & mask_, (now.cycles - start.cycles) & mask_};
    }

private:
    explicit Counters(uint64_t word) : kind_(word & 0xff)
    {
        const uint64_t width = (word >> 8) & 0xff;
        mask_ = width >= 64 || width == 0 ? ~0ull : (1ull << width) - 1;
    }
    CounterReading read() const
    {
        return kind_ == sys::kCountersIntelFixed ? CounterReading{rdpmc(1u << 30), rdpmc((1u << 30) | 1)}
                                                 : CounterReading{rdpmc(0), rdpmc(1)};
    }
    static uint64_t rdpmc(uint32_t counter)
    {
        uint32_t lo, hi;
        asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(counter) : "memory");
        return (uint64_t(hi) << 32) | lo;
    }
    uint64_t kind_;
    uint64_t mask_;
};

} // namespace atoll_os::bench
