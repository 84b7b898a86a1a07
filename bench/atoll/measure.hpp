// Timing for in-OS benchmarks: batches of operations between serialized
// TSC reads (or, with measure_each, each operation between its own reads
// after an untimed setup); the per-operation cost of each batch is one
// sample; samples are reported as min/median/p99 on one "BENCH" line.
// Under QEMU -icount the TSC advances once per instruction, so the figures
// are instruction counts (and repeat exactly). Where the kernel started the
// hardware counters (counters.hpp), each sample also counts instructions
// retired and core cycles, read around the TSC reads, and the line carries
// their medians.
#pragma once

#include <stdint.h>

#include "bench/atoll/counters.hpp"
#include "runtime/lib/user/print.hpp"

namespace atoll_os::bench {

inline uint64_t tsc()
{
    uint32_t lo, hi, aux;
    asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return (uint64_t(hi) << 32) | lo;
}

struct Samples {
    static constexpr unsigned kMax = 256;
    uint64_t v[kMax];
    unsigned n = 0;
    void add(uint64_t x) { if (n < kMax) v[n++] = x; }
    void sort()
    {
        for (unsigned i = 1; i < n; ++i)
            for (unsigned j = i; j > 0 && v[j - 1] > v[j]; --j) {
                uint64_t t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
            }
    }
};

// Per-operation counter figures beside the ticks, one pair per sample.
struct CountedSamples {
    Samples instructions, cycles;
    void add(const CounterReading& d, uint64_t ops)
    {
        instructions.add(d.instructions / ops);
        cycles.add(d.cycles / ops);
    }
    bool any() const { return instructions.n != 0; }
};

// Prints one line: min/median/p99 of the samples (ticks per operation), and
// the counters' medians where there are any.
inline void report(const char* name, uint64_t tsc_hz, unsigned iterations, Samples& s,
                   CountedSamples* counted = nullptr)
{
    s.sort();
    auto ns = [&](uint64_t ticks) -> uint64_t { return ticks * 1000000000ull / tsc_hz; };
    uint64_t min = s.v[0], med = s.v[s.n / 2], p99 = s.v[(s.n * 99) / 100];
    if (counted && counted->any()) {
        counted->instructions.sort();
        counted->cycles.sort();
        user::print("BENCH %s iterations=%u ticks_min=%lu ticks_median=%lu ticks_p99=%lu ns_median=%lu "
                    "instructions_median=%lu cycles_median=%lu",
                    name, iterations, min, med, p99, ns(med), counted->instructions.v[counted->instructions.n / 2],
                    counted->cycles.v[counted->cycles.n / 2]);
        return;
    }
    user::print("BENCH %s iterations=%u ticks_min=%lu ticks_median=%lu ticks_p99=%lu ns_median=%lu", name,
                iterations, min, med, p99, ns(med));
}

// Runs `op` batches x per_batch times after a warm-up; prints one line.
template <class Op>
void measure(const char* name, uint64_t tsc_hz, unsigned batches, unsigned per_batch, unsigned ops_per_call, Op op)
{
    for (unsigned i = 0; i < per_batch; ++i) op(); // warm-up
    const Counters& pmc = Counters::here();
    Samples s;
    CountedSamples counted;
    const uint64_t ops = uint64_t(per_batch) * ops_per_call;
    for (unsigned b = 0; b < batches; ++b) {
        const CounterReading c0 = pmc.start();
        uint64_t t0 = tsc();
        for (unsigned i = 0; i < per_batch; ++i) op();
        uint64_t t1 = tsc();
        if (pmc.available()) counted.add(pmc.since(c0), ops);
        s.add((t1 - t0) / ops);
    }
    report(name, tsc_hz, batches * per_batch, s, &counted);
}

// Out of line so that reading the TSC costs the same instructions whatever
// surrounds it: measure_each subtracts that cost, measured once.
[[gnu::noinline]] inline uint64_t tsc_mark() { return tsc(); }

// For operations that need fresh state each time (a free slot to copy
// into, copies for a revoke to remove): `setup` runs untimed before every
// `op`, so each op is timed alone between its own TSC reads, and the cost
// of an empty timed region (the reads themselves; the minimum of a batch of
// them) is subtracted. A sample is still the mean over one batch.
template <class Setup, class Op>
void measure_each(const char* name, uint64_t tsc_hz, unsigned batches, unsigned per_batch, unsigned ops_per_call,
                  Setup setup, Op op)
{
    const Counters& pmc = Counters::here();
    auto less = [](uint64_t a, uint64_t b) { return a > b ? a - b : 0; };
    uint64_t overhead = ~0ull;
    CounterReading counted_overhead{~0ull, ~0ull};
    for (unsigned i = 0; i < per_batch; ++i) {
        const CounterReading c0 = pmc.start();
        uint64_t t0 = tsc_mark();
        uint64_t t1 = tsc_mark();
        if (pmc.available()) {
            const CounterReading d = pmc.since(c0);
            if (d.instructions < counted_overhead.instructions) counted_overhead.instructions = d.instructions;
            if (d.cycles < counted_overhead.cycles) counted_overhead.cycles = d.cycles;
        }
        if (t1 - t0 < overhead) overhead = t1 - t0;
    }
    for (unsigned i = 0; i < per_batch; ++i) setup(), op(); // warm-up
    Samples s;
    CountedSamples counted;
    const uint64_t ops = uint64_t(per_batch) * ops_per_call;
    for (unsigned b = 0; b < batches; ++b) {
        uint64_t ticks = 0;
        CounterReading sum{0, 0};
        for (unsigned i = 0; i < per_batch; ++i) {
            setup();
            const CounterReading c0 = pmc.start();
            uint64_t t0 = tsc_mark();
            op();
            uint64_t t1 = tsc_mark();
            if (pmc.available()) {
                const CounterReading d = pmc.since(c0);
                sum.instructions += less(d.instructions, counted_overhead.instructions);
                sum.cycles += less(d.cycles, counted_overhead.cycles);
            }
            ticks += less(t1 - t0, overhead);
        }
        if (pmc.available()) counted.add(sum, ops);
        s.add(ticks / ops);
    }
    report(name, tsc_hz, batches * per_batch, s, &counted);
}

} // namespace atoll_os::bench
