// Linux baselines in shared memory, no kernel involved: a raw cache-line
// ping-pong (the floor under any cross-core message) and Atoll's own channel
// ring (percpu/channel.hpp, the very header the kernel uses) between two
// threads, both sides spinning.
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "bench/linux/benchmarks.hpp"
#include "bench/linux/harness.hpp"
#include "percpu/channel.hpp"

namespace atoll_os::bench {

namespace {

// ---- the cache line --------------------------------------------------------

struct alignas(64) Line {
    std::atomic<uint64_t> value{0};
};
static_assert(sizeof(Line) == 64);

// ---- Atoll channel ----------------------------------------------------------

// As in the kernel: 64 slots, and each ring lives in its receiver's memory.
constexpr uint32_t kSlots = 64;
constexpr uint16_t kPing = 1;
constexpr uint16_t kPong = 2;
constexpr uint16_t kData = 3;
constexpr uint16_t kStop = 4;
// Messages per timed iteration of the throughput benchmark (64 laps of the
// ring); the ring is drained at the end of each, so every sample is "this
// many messages, from the first send until the receiver has them all".
constexpr uint64_t kBatch = 4096;

// Fresh anonymous pages for one ring. ChannelRing::create runs on the
// receiver's thread, after it is pinned, so the first touch (and, on a
// NUMA machine, the node) is the receiver's, as on Atoll.
class RingPages {
public:
    RingPages()
    {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        size_ = (ChannelRing::bytes_for(kSlots) + page - 1) / page * page;
        void* memory = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memory_ = memory == MAP_FAILED ? nullptr : memory;
    }
    ~RingPages()
    {
        if (memory_ != nullptr) {
            munmap(memory_, size_);
        }
    }
    RingPages(const RingPages&) = delete;
    RingPages& operator=(const RingPages&) = delete;
    void* get() const { return memory_; }

private:
    void* memory_ = nullptr;
    size_t size_ = 0;
};

// Spins until `ring` is published by the other thread; null if it failed.
ChannelRing* await_ring(const std::atomic<ChannelRing*>& ring, const Failure& failure)
{
    for (;;) {
        ChannelRing* published = ring.load(std::memory_order_acquire);
        if (published != nullptr || failure.failed()) {
            return published;
        }
        cpu_relax();
    }
}

} // namespace

void cacheline_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    // One line, two writers taking turns: the benchmark thread stores odd
    // values, the partner answers each with the next even one.
    constexpr uint64_t kEnd = ~uint64_t{0};
    Line line;
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        for (uint64_t expect = 1;; expect += 2) {
            for (;;) {
                const uint64_t seen = line.value.load(std::memory_order_acquire);
                if (seen == expect) {
                    break;
                }
                if (seen == kEnd) {
                    return;
                }
                cpu_relax();
            }
            line.value.store(expect + 1, std::memory_order_release);
        }
    });
    if (!started) {
        state.SkipWithError(failure.message().c_str());
        return;
    }
    uint64_t next = 1;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            line.value.store(next, std::memory_order_release);
            return true;
        },
        [&] {
            while (line.value.load(std::memory_order_acquire) != next + 1) {
                cpu_relax();
            }
            next += 2;
            return true;
        });
    line.value.store(kEnd, std::memory_order_release);
    partner.join();
    report_late_failure(state, failure);
}

void atoll_channel_pingpong(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    RingPages client_pages;
    RingPages partner_pages;
    if (client_pages.get() == nullptr || partner_pages.get() == nullptr) {
        state.SkipWithError("mmap of the ring memory failed");
        return;
    }
    // Our inbox, created here on our own PU before the partner exists.
    ChannelRing* const client_inbox = ChannelRing::create(client_pages.get(), kSlots);
    std::atomic<ChannelRing*> partner_inbox{nullptr};

    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        ChannelRing* const inbox = ChannelRing::create(partner_pages.get(), kSlots);
        ChannelReceiver receiver;
        receiver.attach(inbox);
        ChannelSender sender;
        sender.attach(client_inbox);
        partner_inbox.store(inbox, std::memory_order_release);
        ChannelMessage message{};
        for (;;) {
            while (!receiver.try_receive(message)) {
                cpu_relax();
            }
            if (message.type == kStop) {
                return;
            }
            if (message.type != kPing) {
                failure.set("channel: partner received type " + std::to_string(message.type));
                return;
            }
            while (!try_send_value(sender, kPong, payload_as<uint64_t>(message))) {
                cpu_relax();
            }
        }
    });
    ChannelRing* const remote = started ? await_ring(partner_inbox, failure) : nullptr;
    if (remote == nullptr) {
        partner.join();
        state.SkipWithError(failure.message().c_str());
        return;
    }
    ChannelSender sender;
    sender.attach(remote);
    ChannelReceiver receiver;
    receiver.attach(client_inbox);

    uint64_t sequence = 0;
    timed_loop(
        state, failure, LoopShape{},
        [&] {
            // One message in flight at a time: the ring is never full.
            if (!try_send_value(sender, kPing, ++sequence)) {
                failure.set("channel: try_send failed on an empty ring");
                return false;
            }
            return true;
        },
        [&] {
            ChannelMessage reply{};
            while (!receiver.try_receive(reply)) {
                if (failure.failed()) {
                    return false;
                }
                cpu_relax();
            }
            if (reply.type != kPong || payload_as<uint64_t>(reply) != sequence) {
                failure.set("channel: unexpected reply");
                return false;
            }
            return true;
        });
    while (!try_send_value(sender, kStop, uint64_t{0}) && !failure.failed()) {
        cpu_relax();
    }
    partner.join();
    report_late_failure(state, failure);
}

void atoll_channel_throughput(benchmark::State& state, const Placement& where)
{
    ClientPin pin(state, where);
    if (!pin.ok()) {
        return;
    }
    Failure failure;
    RingPages partner_pages;
    if (partner_pages.get() == nullptr) {
        state.SkipWithError("mmap of the ring memory failed");
        return;
    }
    std::atomic<ChannelRing*> partner_inbox{nullptr};

    // The partner only receives, checking every message arrives once and
    // in order.
    PartnerThread partner;
    const bool started = partner.start(where.partner_pu, failure, [&] {
        ChannelRing* const inbox = ChannelRing::create(partner_pages.get(), kSlots);
        ChannelReceiver receiver;
        receiver.attach(inbox);
        partner_inbox.store(inbox, std::memory_order_release);
        ChannelMessage message{};
        for (uint64_t expect = 0;; ++expect) {
            while (!receiver.try_receive(message)) {
                cpu_relax();
            }
            if (message.type == kStop) {
                return;
            }
            if (message.type != kData || payload_as<uint64_t>(message) != expect) {
                failure.set("channel: message " + std::to_string(expect) + " arrived wrong");
                return;
            }
        }
    });
    ChannelRing* const remote = started ? await_ring(partner_inbox, failure) : nullptr;
    if (remote == nullptr) {
        partner.join();
        state.SkipWithError(failure.message().c_str());
        return;
    }
    ChannelSender sender;
    sender.attach(remote);

    uint64_t sequence = 0;
    LoopShape shape;
    shape.units_per_iteration = static_cast<double>(kBatch);
    shape.warmup_iterations = 4;
    shape.rate = true;
    timed_loop(
        state, failure, shape,
        [&] {
            for (uint64_t i = 0; i < kBatch; ++i) {
                while (!try_send_value(sender, kData, sequence)) {
                    if (failure.failed()) {
                        return false;
                    }
                    cpu_relax();
                }
                ++sequence;
            }
            // Drained: the receiver has copied out every message sent.
            // `consumed` is the ring header's one receiver-written field.
            while (remote->consumed.load(std::memory_order_acquire) != sender.sent()) {
                if (failure.failed()) {
                    return false;
                }
                cpu_relax();
            }
            return true;
        },
        [] { return true; });
    while (!try_send_value(sender, kStop, uint64_t{0}) && !failure.failed()) {
        cpu_relax();
    }
    partner.join();
    report_late_failure(state, failure);
}

} // namespace atoll_os::bench
