// Linux baselines: where each side runs, partner threads and processes, and
// the timed loop with per-round-trip sampling that every benchmark shares.
#pragma once

#include <benchmark/benchmark.h>
#include <hwloc.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace atoll_os::bench {

// Where one benchmark runs: the measuring thread (the benchmark's own) on
// `client_pu`, its partner thread or process on `partner_pu`. PUs are OS
// indices, as Linux and `hwloc-ls -p` number them.
struct Placement {
    bool cross_core = false;
    unsigned client_pu = 0;
    unsigned partner_pu = 0;
    // Non-empty: this placement does not exist on this machine, and why.
    std::string unavailable;
};

// The machine as hwloc sees it, loaded once, and the two PUs chosen for the
// run: same_core puts both sides on `first`; cross_core puts one side on
// `first` and the other on `second`, which is on a different core.
class Machine {
public:
    Machine() = default;
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // Loads the topology and chooses the PUs: the first PU of core L#0 and
    // the first PU of core L#1, unless `pus` ("A" or "A,B", OS indices)
    // says otherwise. Remembers the calling thread's binding so pinned
    // benchmarks can hand it back. False, with `error`, on bad input.
    bool init(const std::string& pus, std::string& error);

    Placement same_core() const;
    Placement cross_core() const;

    // One line each for the benchmark context.
    std::string describe_topology() const;
    std::string describe_placement() const;

    // Binds the calling thread (or, for a child process, the whole process)
    // to one PU with hwloc_set_cpubind, then checks it is running there.
    bool pin_thread(unsigned pu, std::string& error) const;
    bool pin_process(unsigned pu, std::string& error) const;
    // Gives the calling thread back the binding it had at init().
    void unpin_thread() const;

private:
    bool pin(unsigned pu, int flags, std::string& error) const;
    std::string describe_pu(unsigned pu) const;

    hwloc_topology_t topology_ = nullptr;
    hwloc_bitmap_t original_ = nullptr;
    int cores_ = 0;
    int pus_ = 0;
    unsigned first_ = 0;
    unsigned second_ = 0;
    bool has_second_ = false;
};

Machine& machine();

// Pins the calling (benchmark) thread for one benchmark run and gives its
// old binding back at the end of the scope.
class ScopedPin {
public:
    ScopedPin(unsigned pu, std::string& error) : pinned_(machine().pin_thread(pu, error)) {}
    ~ScopedPin() { machine().unpin_thread(); }
    ScopedPin(const ScopedPin&) = delete;
    ScopedPin& operator=(const ScopedPin&) = delete;
    bool ok() const { return pinned_; }

private:
    bool pinned_;
};

// The first thing that went wrong during one benchmark run, from any thread.
class Failure {
public:
    void set(const std::string& message);
    // `what` followed by strerror(errno).
    void set_errno(const char* what);
    bool failed() const { return failed_.load(std::memory_order_acquire); }
    std::string message() const;

private:
    std::atomic<bool> failed_{false};
    mutable std::mutex mutex_;
    std::string message_;
};

// A thread pinned to one PU that runs `body` once it is pinned.
class PartnerThread {
public:
    PartnerThread() = default;
    ~PartnerThread() { join(); }
    PartnerThread(const PartnerThread&) = delete;
    PartnerThread& operator=(const PartnerThread&) = delete;

    // Starts the thread and waits until it has pinned itself. False, with
    // `failure` set, if it could not; `body` then never runs.
    bool start(unsigned pu, Failure& failure, std::function<void()> body);
    void join();

private:
    std::thread thread_;
    std::atomic<int> state_{0};
};

// A child process pinned to one PU that runs `body` once it is pinned and
// exits with its return value. `body` runs in the child after fork(): it
// closes the parent's ends of any pipes itself.
class PartnerProcess {
public:
    PartnerProcess() = default;
    ~PartnerProcess();
    PartnerProcess(const PartnerProcess&) = delete;
    PartnerProcess& operator=(const PartnerProcess&) = delete;

    bool start(unsigned pu, Failure& failure, const std::function<int()>& body);
    // Reaps the child (the caller has already told it to stop); an exit
    // other than status 0 becomes a failure.
    void wait(Failure& failure);

private:
    pid_t pid_ = -1;
};

// How a benchmark's loop iteration maps onto what it reports.
struct LoopShape {
    // Round trips (or switches, or messages) one iteration performs: every
    // per-iteration time is divided by this before it is reported.
    double units_per_iteration = 1;
    // Warm-up: at least this many iterations and this much time, in the
    // same process, threads and placement as the timed loop.
    uint64_t warmup_iterations = 64;
    std::chrono::nanoseconds warmup_time = std::chrono::milliseconds(2);
    // Also report `msgs_per_s` (units per second).
    bool rate = false;
};

// Per-iteration wall times, kept exactly (the first kMaxKept of them) for
// the ns_min / ns_median / ns_p99 counters. The buffer is sized and zeroed
// before the timed loop, so no page fault lands inside it.
class Samples {
public:
    static constexpr size_t kMaxKept = size_t{1} << 23;

    explicit Samples(int64_t expected);
    void add(uint64_t ns)
    {
        if (count_ < kept_.size()) {
            kept_[count_] = ns > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ns);
        }
        total_ns_ += ns;
        ++count_;
    }
    // Sets ns (the mean), ns_min, ns_median, ns_p99 (and msgs_per_s), all
    // per unit and all wall time. Not SetItemsProcessed: Google Benchmark
    // would divide by the benchmark thread's CPU time, not wall time.
    void report(benchmark::State& state, const LoopShape& shape);

private:
    std::vector<uint32_t> kept_;
    uint64_t total_ns_ = 0;
    uint64_t count_ = 0;
};

using Clock = std::chrono::steady_clock;

inline uint64_t ns_between(Clock::time_point from, Clock::time_point to)
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

inline void cpu_relax()
{
    __builtin_ia32_pause();
}

// Warms up, then runs the timed loop. Each iteration is `send()` (start a
// round trip), one clock read, `await()` (finish it). The clock is read
// right after the send, while the reply is in flight, so its ~30 ns cost
// overlaps the wait instead of adding to it; each sample spans one whole
// cycle, from one send to the next. `begin()` and `end()` run just before
// and just after the timed loop. Returns false after SkipWithError if either
// step fails (they set `failure` first). Reports the counters on success.
template <class Send, class Await, class Begin, class End>
bool timed_loop(benchmark::State& state, Failure& failure, const LoopShape& shape, Send&& send,
                Await&& await, Begin&& begin, End&& end)
{
    const Clock::time_point warmup_start = Clock::now();
    Clock::time_point mark = warmup_start;
    for (uint64_t done = 0;; ++done) {
        if (done >= shape.warmup_iterations && mark - warmup_start >= shape.warmup_time) {
            break;
        }
        if (!send()) {
            state.SkipWithError(failure.message().c_str());
            return false;
        }
        mark = Clock::now();
        if (!await()) {
            state.SkipWithError(failure.message().c_str());
            return false;
        }
    }
    Samples samples(state.max_iterations);
    begin();
    for (auto _ : state) {
        if (!send()) {
            state.SkipWithError(failure.message().c_str());
            break;
        }
        const Clock::time_point now = Clock::now();
        samples.add(ns_between(mark, now));
        mark = now;
        if (!await()) {
            state.SkipWithError(failure.message().c_str());
            break;
        }
    }
    end();
    if (state.error_occurred()) {
        return false;
    }
    samples.report(state, shape);
    return true;
}

template <class Send, class Await>
bool timed_loop(benchmark::State& state, Failure& failure, const LoopShape& shape, Send&& send,
                Await&& await)
{
    return timed_loop(state, failure, shape, send, await, [] {}, [] {});
}

// The common prologue: skips the run (returning false) when the placement
// does not exist here.
bool placement_available(benchmark::State& state, const Placement& where);

// What every benchmark does first: skip if its placement does not exist on
// this machine, else pin the benchmark thread to the client PU (skipping,
// with the reason, if that fails). Unpins when it goes out of scope.
class ClientPin {
public:
    ClientPin(benchmark::State& state, const Placement& where);
    bool ok() const { return pin_ && pin_->ok(); }

private:
    std::string error_;
    std::optional<ScopedPin> pin_;
};

// Ends the run with an error found after the timed loop (a partner's), if any.
void report_late_failure(benchmark::State& state, const Failure& failure);

} // namespace atoll_os::bench
