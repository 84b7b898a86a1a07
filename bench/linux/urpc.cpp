// linux/atoll_urpc_pingpong/cross_core: Atoll's own URPC rings
// (runtime/lib/user/urpc.hpp) between two hwloc-pinned threads, polling on
// both sides (no sleeping handshake): what the user-level path costs on this
// host's cache hierarchy, beside the raw cache-line ping-pong.
#include <sys/mman.h>

#include <cstdint>

#include "bench/linux/benchmarks.hpp"
#include "bench/linux/harness.hpp"
#include "runtime/lib/user/urpc.hpp"

namespace atoll_os::bench {
namespace {

constexpr uint64_t kStopWord = ~0ull;

// The receiver never sleeps here (it spins for ever), so nobody wakes it.
struct NoWake {
    void operator()() const {}
};
struct NoWait {
    void operator()() const {}
};

void relax() { cpu_relax(); }

} // namespace

void atoll_urpc_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    void* memory = mmap(nullptr, 2 * sizeof(urpc::Ring), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        state.SkipWithError("mmap of the ring memory failed");
        return;
    }
    auto* rings = new (memory) urpc::Ring[2]{};
    Failure failure;
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        urpc::Receiver<NoWait> in(rings[0], NoWait{});
        urpc::Sender<NoWake, false> out(rings[1], NoWake{});
        for (;;) {
            urpc::Message m{};
            in.receive(m, ~0u, relax);
            if (m.w[0] == kStopWord) {
                return;
            }
            m.w[0] += 1;
            out.send(m, relax);
        }
    });
    if (!started) {
        munmap(memory, 2 * sizeof(urpc::Ring));
        state.SkipWithError(failure.message().c_str());
        return;
    }
    urpc::Sender<NoWake, false> out(rings[0], NoWake{});
    urpc::Receiver<NoWait> in(rings[1], NoWait{});
    uint64_t sequence = 0;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            out.send(urpc::Message{{++sequence, 0, 0, 0, 0, 0, 0}}, relax);
            return true;
        },
        [&] {
            urpc::Message reply{};
            while (!in.try_receive(reply)) {
                if (failure.failed()) {
                    return false;
                }
                cpu_relax();
            }
            if (reply.w[0] != sequence + 1) {
                failure.set("urpc: unexpected reply");
                return false;
            }
            return true;
        });
    out.send(urpc::Message{{kStopWord, 0, 0, 0, 0, 0, 0}}, relax);
    partner.join();
    munmap(memory, 2 * sizeof(urpc::Ring));
    report_late_failure(state, failure);
}

} // namespace atoll_os::bench
