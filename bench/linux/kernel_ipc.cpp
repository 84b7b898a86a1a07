// Linux baselines through the kernel: futex, pipe, eventfd and UNIX-socket
// round trips, and sched_yield context switches. In every round trip the
// benchmark thread sends, then blocks until its partner answers.
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "bench/linux/benchmarks.hpp"
#include "bench/linux/harness.hpp"
#include "percpu/channel.hpp"

namespace atoll_os::bench {

namespace {

// A file descriptor closed when it goes out of scope (in the process that
// runs the destructor: a forked partner leaves with _exit and never does).
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    void reset(int fd = -1)
    {
        if (fd_ >= 0) {
            close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Reads exactly `size` bytes: `size` on success, 0 on end of file before
// the first byte, -1 on error or end of file inside the message.
ssize_t read_exact(int fd, void* buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        const ssize_t got = read(fd, static_cast<char*>(buffer) + done, size - done);
        if (got > 0) {
            done += static_cast<size_t>(got);
        } else if (got == 0) {
            if (done == 0) {
                return 0;
            }
            errno = EPIPE;
            return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return static_cast<ssize_t>(size);
}

bool write_exact(int fd, const void* buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        const ssize_t put = write(fd, static_cast<const char*>(buffer) + done, size - done);
        if (put > 0) {
            done += static_cast<size_t>(put);
        } else if (put < 0 && errno != EINTR) {
            return false;
        }
    }
    return true;
}

// ---- futex ---------------------------------------------------------------

// One futex word per direction, each on its own cache line.
struct alignas(64) FutexWord {
    std::atomic<uint32_t> value{0};
};
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));

void futex_wait_while(std::atomic<uint32_t>& word, uint32_t value)
{
    // FUTEX_WAIT sleeps only if the word still holds `value`; a spurious
    // return (EAGAIN, EINTR) just re-checks.
    while (word.load(std::memory_order_acquire) == value) {
        syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
    }
}

void futex_wake(std::atomic<uint32_t>& word)
{
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

// ---- sockets and pipes -----------------------------------------------------

// What a UNIX-socket round trip carries each way: as much as one Atoll
// channel message does.
constexpr size_t kSocketMessage = kChannelPayload;

} // namespace

void futex_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    FutexWord ping;
    FutexWord pong;
    FutexWord stop;
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        uint32_t seen = 0;
        for (;;) {
            futex_wait_while(ping.value, seen);
            seen = ping.value.load(std::memory_order_acquire);
            if (stop.value.load(std::memory_order_acquire) != 0) {
                return;
            }
            pong.value.store(seen, std::memory_order_release);
            futex_wake(pong.value);
        }
    });
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    uint32_t sent = 0;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            ping.value.store(++sent, std::memory_order_release);
            futex_wake(ping.value);
            return true;
        },
        [&] {
            futex_wait_while(pong.value, sent - 1);
            return true;
        });
    stop.value.store(1, std::memory_order_release);
    ping.value.store(++sent, std::memory_order_release);
    futex_wake(ping.value);
    partner.join();
    report_late_failure(state, failure);
}

void eventfd_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    Fd to_partner(eventfd(0, EFD_CLOEXEC));
    Fd to_client(eventfd(0, EFD_CLOEXEC));
    if (!to_partner.valid() || !to_client.valid()) {
        failure.set_errno("eventfd");
        state.SkipWithError(failure.message().c_str());
        return;
    }
    // The counter's value says what came: 1 a ping or pong, kStop the end,
    // kBroken a partner that failed (so the benchmark thread never waits
    // for an answer that will not come).
    constexpr uint64_t kStop = 2;
    constexpr uint64_t kBroken = 3;
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        for (;;) {
            uint64_t value = 0;
            if (read_exact(to_partner.get(), &value, sizeof value) != sizeof value) {
                failure.set_errno("partner: eventfd read");
                break;
            }
            if (value == kStop) {
                return;
            }
            const uint64_t one = 1;
            if (!write_exact(to_client.get(), &one, sizeof one)) {
                failure.set_errno("partner: eventfd write");
                break;
            }
        }
        const uint64_t broken = kBroken;
        (void)write_exact(to_client.get(), &broken, sizeof broken);
    });
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            const uint64_t one = 1;
            if (!write_exact(to_partner.get(), &one, sizeof one)) {
                failure.set_errno("eventfd write");
                return false;
            }
            return true;
        },
        [&] {
            uint64_t value = 0;
            if (read_exact(to_client.get(), &value, sizeof value) != sizeof value) {
                failure.set_errno("eventfd read");
                return false;
            }
            if (value != 1) {
                failure.set("eventfd: unexpected value " + std::to_string(value) + " from the partner");
                return false;
            }
            return true;
        });
    const uint64_t stop = kStop;
    (void)write_exact(to_partner.get(), &stop, sizeof stop);
    partner.join();
    report_late_failure(state, failure);
}

void pipe_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    int down_fds[2];
    int up_fds[2];
    if (pipe2(down_fds, O_CLOEXEC) != 0) {
        failure.set_errno("pipe");
        state.SkipWithError(failure.message().c_str());
        return;
    }
    Fd down_read(down_fds[0]);
    Fd down_write(down_fds[1]);
    if (pipe2(up_fds, O_CLOEXEC) != 0) {
        failure.set_errno("pipe");
        state.SkipWithError(failure.message().c_str());
        return;
    }
    Fd up_read(up_fds[0]);
    Fd up_write(up_fds[1]);

    PartnerProcess partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        close(down_write.get());
        close(up_read.get());
        for (;;) {
            char byte = 0;
            const ssize_t got = read_exact(down_read.get(), &byte, 1);
            if (got == 0) {
                return 0; // the benchmark closed its end: done
            }
            if (got < 0 || !write_exact(up_write.get(), &byte, 1)) {
                return 4;
            }
        }
    });
    down_read.reset();
    up_write.reset();
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    char byte = 0;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            ++byte;
            if (!write_exact(down_write.get(), &byte, 1)) {
                failure.set_errno("pipe write");
                return false;
            }
            return true;
        },
        [&] {
            char reply = 0;
            const ssize_t got = read_exact(up_read.get(), &reply, 1);
            if (got != 1) {
                if (got == 0) {
                    failure.set("pipe: the partner process closed its end");
                } else {
                    failure.set_errno("pipe read");
                }
                return false;
            }
            if (reply != byte) {
                failure.set("pipe: the partner answered out of order");
                return false;
            }
            return true;
        });
    down_write.reset();
    partner.wait(failure);
    report_late_failure(state, failure);
}

void unix_socket_roundtrip(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        failure.set_errno("socketpair");
        state.SkipWithError(failure.message().c_str());
        return;
    }
    Fd client_end(fds[0]);
    Fd partner_end(fds[1]);

    PartnerProcess partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        close(client_end.get());
        unsigned char message[kSocketMessage];
        for (;;) {
            const ssize_t got = read_exact(partner_end.get(), message, sizeof message);
            if (got == 0) {
                return 0;
            }
            if (got < 0 || !write_exact(partner_end.get(), message, sizeof message)) {
                return 4;
            }
        }
    });
    partner_end.reset();
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    unsigned char message[kSocketMessage] = {};
    unsigned char reply[kSocketMessage] = {};
    uint64_t sequence = 0;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            ++sequence;
            std::memcpy(message, &sequence, sizeof sequence);
            if (!write_exact(client_end.get(), message, sizeof message)) {
                failure.set_errno("socket write");
                return false;
            }
            return true;
        },
        [&] {
            const ssize_t got = read_exact(client_end.get(), reply, sizeof reply);
            if (got != static_cast<ssize_t>(sizeof reply)) {
                if (got == 0) {
                    failure.set("socket: the partner process closed its end");
                } else {
                    failure.set_errno("socket read");
                }
                return false;
            }
            if (std::memcmp(reply, &sequence, sizeof sequence) != 0) {
                failure.set("socket: the partner answered out of order");
                return false;
            }
            return true;
        });
    client_end.reset();
    partner.wait(failure);
    report_late_failure(state, failure);
}

void sched_yield_switch(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    struct alignas(64) Shared {
        std::atomic<bool> stop{false};
        alignas(64) std::atomic<uint64_t> partner_yields{0};
    } shared;
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        uint64_t yields = 0;
        while (!shared.stop.load(std::memory_order_relaxed)) {
            sched_yield();
            shared.partner_yields.store(++yields, std::memory_order_relaxed);
        }
    });
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    // One iteration is one sched_yield by the benchmark thread: it switches
    // to the partner, whose own sched_yield switches back. Two switches.
    LoopShape shape;
    shape.units_per_iteration = 2;
    uint64_t partner_start = 0;
    uint64_t partner_end = 0;
    rusage usage_start{};
    rusage usage_end{};
    const bool ok = timed_loop(
        state, failure, shape,
        [] {
            sched_yield();
            return true;
        },
        [] { return true; },
        [&] {
            partner_start = shared.partner_yields.load(std::memory_order_relaxed);
            getrusage(RUSAGE_THREAD, &usage_start);
        },
        [&] {
            getrusage(RUSAGE_THREAD, &usage_end);
            partner_end = shared.partner_yields.load(std::memory_order_relaxed);
        });
    shared.stop.store(true, std::memory_order_relaxed);
    partner.join();
    if (ok && state.iterations() > 0) {
        const double yields = static_cast<double>(state.iterations());
        // Sanity: both near 1 when the two threads strictly alternate and
        // nothing else runs on the PU.
        state.counters["partner_yields_per_yield"] = static_cast<double>(partner_end - partner_start) / yields;
        const long switches = (usage_end.ru_nvcsw - usage_start.ru_nvcsw) + (usage_end.ru_nivcsw - usage_start.ru_nivcsw);
        state.counters["switches_away_per_yield"] = static_cast<double>(switches) / yields;
    }
    report_late_failure(state, failure);
}

} // namespace atoll_os::bench
