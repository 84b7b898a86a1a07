// Linux baselines: pinning with hwloc, partners, and the sample statistics.
#include "bench/linux/harness.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace atoll_os::bench {

namespace {

// "A" or "A,B" (decimal OS indices) into up to two numbers.
bool parse_pus(const std::string& text, unsigned out[2], int& count)
{
    count = 0;
    size_t at = 0;
    while (at <= text.size() && count < 2) {
        const size_t comma = text.find(',', at);
        const std::string part = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 6) {
            return false;
        }
        out[count++] = static_cast<unsigned>(std::stoul(part));
        if (comma == std::string::npos) {
            return true;
        }
        at = comma + 1;
    }
    return false;
}

} // namespace

Machine& machine()
{
    static Machine instance;
    return instance;
}

Machine::~Machine()
{
    if (original_ != nullptr) {
        hwloc_bitmap_free(original_);
    }
    if (topology_ != nullptr) {
        hwloc_topology_destroy(topology_);
    }
}

bool Machine::init(const std::string& pus, std::string& error)
{
    if (hwloc_topology_init(&topology_) != 0 || hwloc_topology_load(topology_) != 0) {
        error = "hwloc could not load the topology";
        return false;
    }
    original_ = hwloc_bitmap_alloc();
    if (hwloc_get_cpubind(topology_, original_, HWLOC_CPUBIND_THREAD) != 0) {
        hwloc_bitmap_copy(original_, hwloc_topology_get_allowed_cpuset(topology_));
    }
    cores_ = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_CORE);
    pus_ = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_PU);
    if (pus_ < 1) {
        error = "hwloc sees no processing unit";
        return false;
    }
    // Without core objects (rare: hwloc could not read the core level),
    // every PU counts as its own core.
    const hwloc_obj_type_t unit = cores_ > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    const int units = cores_ > 0 ? cores_ : pus_;

    if (pus.empty()) {
        first_ = static_cast<unsigned>(hwloc_bitmap_first(hwloc_get_obj_by_type(topology_, unit, 0)->cpuset));
        has_second_ = units >= 2;
        if (has_second_) {
            second_ = static_cast<unsigned>(hwloc_bitmap_first(hwloc_get_obj_by_type(topology_, unit, 1)->cpuset));
        }
        return true;
    }

    unsigned chosen[2] = {0, 0};
    int count = 0;
    if (!parse_pus(pus, chosen, count)) {
        error = "--atoll_pus wants A or A,B (OS indices of PUs), not '" + pus + "'";
        return false;
    }
    hwloc_obj_t objs[2] = {nullptr, nullptr};
    for (int i = 0; i < count; ++i) {
        objs[i] = hwloc_get_pu_obj_by_os_index(topology_, chosen[i]);
        if (objs[i] == nullptr) {
            error = "--atoll_pus: PU " + std::to_string(chosen[i]) + " does not exist or is not allowed here";
            return false;
        }
    }
    first_ = chosen[0];
    has_second_ = count == 2;
    if (has_second_) {
        second_ = chosen[1];
        hwloc_obj_t core0 = hwloc_get_ancestor_obj_by_type(topology_, HWLOC_OBJ_CORE, objs[0]);
        hwloc_obj_t core1 = hwloc_get_ancestor_obj_by_type(topology_, HWLOC_OBJ_CORE, objs[1]);
        if (chosen[0] == chosen[1] || (core0 != nullptr && core0 == core1)) {
            error = "--atoll_pus: PUs " + std::to_string(chosen[0]) + " and " + std::to_string(chosen[1]) +
                    " are on the same core; cross_core needs two different cores";
            return false;
        }
    }
    return true;
}

Placement Machine::same_core() const
{
    Placement where;
    where.cross_core = false;
    where.client_pu = first_;
    where.partner_pu = first_;
    return where;
}

Placement Machine::cross_core() const
{
    Placement where;
    where.cross_core = true;
    where.client_pu = first_;
    where.partner_pu = second_;
    if (!has_second_ && cores_ < 2) {
        where.unavailable = "cross_core needs two cores; this machine has one (hwloc sees " + std::to_string(cores_) +
                            " core(s), " + std::to_string(pus_) + " PU(s))";
    } else if (!has_second_) {
        where.unavailable = "cross_core needs two cores; --atoll_pus named only one PU";
    }
    return where;
}

std::string Machine::describe_pu(unsigned pu) const
{
    std::string text = "PU P#" + std::to_string(pu);
    hwloc_obj_t obj = hwloc_get_pu_obj_by_os_index(topology_, pu);
    hwloc_obj_t core = obj == nullptr ? nullptr : hwloc_get_ancestor_obj_by_type(topology_, HWLOC_OBJ_CORE, obj);
    if (core != nullptr) {
        text += " (core L#" + std::to_string(core->logical_index) + ")";
    }
    return text;
}

std::string Machine::describe_topology() const
{
    const int packages = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_PACKAGE);
    const int nodes = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_NUMANODE);
    return std::to_string(packages) + " package(s), " + std::to_string(cores_) + " core(s), " +
           std::to_string(pus_) + " PU(s), " + std::to_string(nodes) + " NUMA node(s)";
}

std::string Machine::describe_placement() const
{
    std::string text = "same_core: both sides on " + describe_pu(first_) + "; cross_core: ";
    if (has_second_) {
        text += describe_pu(first_) + " and " + describe_pu(second_);
    } else {
        text += cores_ < 2 ? "unavailable (one core)" : "unavailable (--atoll_pus named one PU)";
    }
    return text;
}

bool Machine::pin(unsigned pu, int flags, std::string& error) const
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    hwloc_bitmap_only(set, pu);
    const int rc = hwloc_set_cpubind(topology_, set, flags);
    const int saved = errno;
    hwloc_bitmap_free(set);
    if (rc != 0) {
        error = "hwloc_set_cpubind to PU " + std::to_string(pu) + " failed: " + std::strerror(saved);
        return false;
    }
    // Binding the calling thread migrates it before the call returns.
    const int running_on = sched_getcpu();
    if (running_on != static_cast<int>(pu)) {
        error = "pinned to PU " + std::to_string(pu) + " but running on CPU " + std::to_string(running_on);
        return false;
    }
    return true;
}

bool Machine::pin_thread(unsigned pu, std::string& error) const
{
    return pin(pu, HWLOC_CPUBIND_THREAD, error);
}

bool Machine::pin_process(unsigned pu, std::string& error) const
{
    return pin(pu, HWLOC_CPUBIND_PROCESS, error);
}

void Machine::unpin_thread() const
{
    hwloc_set_cpubind(topology_, original_, HWLOC_CPUBIND_THREAD);
}

void Failure::set(const std::string& message)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failed_.load(std::memory_order_relaxed)) {
        message_ = message;
        failed_.store(true, std::memory_order_release);
    }
}

void Failure::set_errno(const char* what)
{
    const int saved = errno;
    set(std::string(what) + ": " + std::strerror(saved));
}

std::string Failure::message() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_.load(std::memory_order_relaxed) ? message_ : std::string("unknown failure");
}

bool PartnerThread::start(unsigned pu, Failure& failure, std::function<void()> body)
{
    state_.store(0);
    thread_ = std::thread([this, pu, &failure, body = std::move(body)] {
        std::string error;
        if (!machine().pin_thread(pu, error)) {
            failure.set("partner thread: " + error);
            state_.store(-1);
            state_.notify_one();
            return;
        }
        state_.store(1);
        state_.notify_one();
        body();
    });
    state_.wait(0);
    return state_.load() == 1;
}

void PartnerThread::join()
{
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool PartnerProcess::start(unsigned pu, Failure& failure, const std::function<int()>& body)
{
    // The child says "pinned" (one byte, '+') or why not (a message) on
    // its own pipe, so the parent never waits on a partner that will not
    // answer.
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        failure.set_errno("pipe");
        return false;
    }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        failure.set_errno("fork");
        close(ready[0]);
        close(ready[1]);
        return false;
    }
    if (pid == 0) {
        close(ready[0]);
        // If the benchmark process dies, so does its partner.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        std::string error;
        if (!machine().pin_process(pu, error)) {
            error = "partner process: " + error;
            (void)!write(ready[1], error.data(), error.size());
            _exit(3);
        }
        (void)!write(ready[1], "+", 1);
        close(ready[1]);
        // _exit, not exit: the parent's atexit handlers and stdio buffers
        // are not the child's to run or flush.
        _exit(body());
    }
    pid_ = pid;
    close(ready[1]);
    char reply[512];
    ssize_t got;
    do {
        got = read(ready[0], reply, sizeof reply);
    } while (got < 0 && errno == EINTR);
    close(ready[0]);
    if (got == 1 && reply[0] == '+') {
        return true;
    }
    failure.set(got > 0 ? std::string(reply, static_cast<size_t>(got)) : std::string("partner process exited early"));
    wait(failure);
    return false;
}

void PartnerProcess::wait(Failure& failure)
{
    if (pid_ < 0) {
        return;
    }
    int status = 0;
    pid_t done;
    do {
        done = waitpid(pid_, &status, 0);
    } while (done < 0 && errno == EINTR);
    pid_ = -1;
    if (done < 0) {
        failure.set_errno("waitpid");
    } else if (WIFSIGNALED(status)) {
        failure.set("partner process killed by signal " + std::to_string(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        failure.set("partner process exited with status " + std::to_string(WEXITSTATUS(status)));
    }
}

PartnerProcess::~PartnerProcess()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

Samples::Samples(int64_t expected)
{
    const size_t want = expected > 0 ? static_cast<size_t>(expected) : 0;
    kept_.resize(std::min(want, kMaxKept));
}

void Samples::report(benchmark::State& state, const LoopShape& shape)
{
    if (count_ == 0) {
        return;
    }
    const double units = shape.units_per_iteration;
    auto& counters = state.counters;
    counters["ns"] = static_cast<double>(total_ns_) / (static_cast<double>(count_) * units);
    // Nearest-rank percentiles over the kept samples.
    kept_.resize(std::min<uint64_t>(count_, kept_.size()));
    const size_t n = kept_.size();
    if (n == 0) {
        return;
    }
    const auto rank = [n](double fraction) {
        const double position = fraction * static_cast<double>(n);
        size_t index = static_cast<size_t>(position);
        if (static_cast<double>(index) < position) {
            ++index;
        }
        return index == 0 ? size_t{0} : std::min(index - 1, n - 1);
    };
    const size_t median = rank(0.5);
    const size_t p99 = rank(0.99);
    std::nth_element(kept_.begin(), kept_.begin() + static_cast<ptrdiff_t>(median), kept_.end());
    const uint32_t median_ns = kept_[median];
    std::nth_element(kept_.begin() + static_cast<ptrdiff_t>(median), kept_.begin() + static_cast<ptrdiff_t>(p99),
                     kept_.end());
    const uint32_t p99_ns = kept_[p99];
    const uint32_t min_ns = *std::min_element(kept_.begin(), kept_.begin() + static_cast<ptrdiff_t>(median) + 1);
    counters["ns_min"] = static_cast<double>(min_ns) / units;
    counters["ns_median"] = static_cast<double>(median_ns) / units;
    counters["ns_p99"] = static_cast<double>(p99_ns) / units;
    if (shape.rate) {
        counters["msgs_per_s"] = static_cast<double>(count_) * units * 1e9 / static_cast<double>(total_ns_);
    }
}

bool placement_available(benchmark::State& state, const Placement& where)
{
    if (!where.unavailable.empty()) {
        state.SkipWithError(where.unavailable.c_str());
        return false;
    }
    return true;
}

ClientPin::ClientPin(benchmark::State& state, const Placement& where)
{
    if (!placement_available(state, where)) return;
    pin_.emplace(where.client_pu, error_);
    if (!pin_->ok()) state.SkipWithError(("benchmark thread: " + error_).c_str());
}

void report_late_failure(benchmark::State& state, const Failure& failure)
{
    if (failure.failed() && !state.error_occurred()) {
        state.SkipWithError(failure.message().c_str());
    }
}

} // namespace atoll_os::bench
