// Channel tests: two threads pinned to two cores, streaming and ping-pong.
#include <gtest/gtest.h>
#include <hwloc.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "percpu/channel.hpp"
#include "tests/host/channel/channel_test_memory.hpp"

namespace atoll_os {
namespace {

using test::RingMemory;

// Two places to run: two distinct cores when there are, else two PUs of
// one core, else the only PU twice (which still checks correctness, just
// with the OS interleaving the two sides instead of the hardware).
class Places {
public:
    Places()
    {
        hwloc_topology_init(&topology_);
        hwloc_topology_load(topology_);
        const int cores = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_CORE);
        const int pus = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_PU);
        hwloc_obj_type_t type = HWLOC_OBJ_CORE;
        int last = cores - 1;
        if (cores < 2) {
            type = HWLOC_OBJ_PU;
            last = pus > 1 ? pus - 1 : 0;
        }
        // First and last: on a bigger machine, the farthest pair.
        for (int i = 0; i < 2; ++i) {
            hwloc_obj_t obj = hwloc_get_obj_by_type(topology_, type, i == 0 ? 0 : last);
            if (obj == nullptr) {
                continue;
            }
            set_[i] = hwloc_bitmap_dup(obj->cpuset);
            hwloc_bitmap_singlify(set_[i]);
            char text[64];
            hwloc_bitmap_snprintf(text, sizeof text, set_[i]);
            description_ += std::string(i == 0 ? "" : " and ") + hwloc_obj_type_string(type) + " L#" +
                            std::to_string(obj->logical_index) + " (cpuset " + text + ")";
        }
        if (cores < 2 && pus < 2) {
            description_ += " -- only one PU: both threads pinned to it";
        }
    }
    ~Places()
    {
        for (hwloc_bitmap_t set : set_) {
            if (set != nullptr) {
                hwloc_bitmap_free(set);
            }
        }
        hwloc_topology_destroy(topology_);
    }
    Places(const Places&) = delete;
    Places& operator=(const Places&) = delete;

    // Pins the calling thread. A refused binding (restricted container) is
    // reported, not fatal: the ordering checks still mean something.
    void pin_current_thread(int which) const
    {
        if (set_[which] == nullptr ||
            hwloc_set_cpubind(topology_, set_[which], HWLOC_CPUBIND_THREAD) != 0) {
            std::printf("[channel] warning: could not pin thread %d\n", which);
        }
    }
    const std::string& description() const { return description_; }

private:
    hwloc_topology_t topology_ = nullptr;
    hwloc_bitmap_t set_[2] = {nullptr, nullptr};
    std::string description_;
};

// Spin politely: pause while the peer is probably running, yield soon in
// case it is not (2 shared cores, or both threads on one PU).
class Backoff {
public:
    void wait()
    {
        if (++spins_ < 64) {
            __builtin_ia32_pause();
        } else {
            spins_ = 0;
            std::this_thread::yield();
        }
    }
    void reset() { spins_ = 0; }

private:
    unsigned spins_ = 0;
};

// The receiver creates its ring in memory it allocated itself (as a kernel
// instance would in its own partition) and hands the pointer over with
// release/acquire, which is the ordering create() asks for.
class Handoff {
public:
    void publish(ChannelRing* ring) { ring_.store(ring, std::memory_order_release); }
    ChannelRing* wait() const
    {
        Backoff backoff;
        ChannelRing* ring;
        while ((ring = ring_.load(std::memory_order_acquire)) == nullptr) {
            backoff.wait();
        }
        return ring;
    }

private:
    std::atomic<ChannelRing*> ring_{nullptr};
};

uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Stream message layout: index, checksum, then index-derived filler, with
// the length varying per message so the zeroed tail is checked too.
constexpr size_t kHeader = 16;

uint16_t stream_length(uint64_t index)
{
    return static_cast<uint16_t>(kHeader + index % (kChannelPayload - kHeader + 1));
}

void stream_filler(uint64_t index, uint8_t* out, size_t count)
{
    const uint64_t seed = mix(index);
    for (size_t i = 0; i < count; ++i) {
        out[i] = static_cast<uint8_t>((seed >> ((i % 8) * 8)) + i);
    }
}

uint64_t checksum(uint64_t index, const uint8_t* bytes, size_t count)
{
    uint64_t h = 0xCBF29CE484222325ull ^ index;
    for (size_t i = 0; i < count; ++i) {
        h = (h ^ bytes[i]) * 0x100000001B3ull;
    }
    return h;
}

struct StreamResult {
    uint64_t received = 0;
    uint64_t errors = 0;
    uint64_t first_bad = UINT64_MAX;
    std::string first_error;
};

void stream(uint32_t slots, uint64_t count, const char* label)
{
    Places places;
    Handoff handoff;
    std::unique_ptr<RingMemory> memory;
    uint64_t full_events = 0;
    StreamResult result;

    const auto start = std::chrono::steady_clock::now();
    std::thread receiver([&] {
        places.pin_current_thread(1);
        memory = std::make_unique<RingMemory>(slots);
        ChannelRing* ring = ChannelRing::create(memory->get(), slots);
        ChannelReceiver rx;
        rx.attach(ring);
        handoff.publish(ring);

        auto fail = [&](uint64_t at, const char* what) {
            if (result.errors++ == 0) {
                result.first_bad = at;
                result.first_error = what;
            }
        };
        Backoff backoff;
        ChannelMessage m;
        uint8_t expect[kChannelPayload];
        for (uint64_t expected = 0; expected < count;) {
            if (!rx.try_receive(m)) {
                backoff.wait();
                continue;
            }
            backoff.reset();
            uint64_t index;
            uint64_t sum;
            std::memcpy(&index, m.payload, 8);
            std::memcpy(&sum, m.payload + 8, 8);
            if (index != expected) {
                fail(expected, index < expected ? "duplicate or reordered" : "lost message");
            }
            const uint16_t length = stream_length(expected);
            if (m.type != static_cast<uint16_t>(expected * 31 + 7) || m.length != length) {
                fail(expected, "type or length");
            }
            std::memset(expect, 0, sizeof expect);
            stream_filler(expected, expect + kHeader, length - kHeader);
            if (std::memcmp(m.payload + kHeader, expect + kHeader, kChannelPayload - kHeader) != 0) {
                fail(expected, "payload or tail");
            }
            if (sum != checksum(index, m.payload + kHeader, length - kHeader)) {
                fail(expected, "checksum");
            }
            // Resynchronise on the index seen so one slip is one error.
            expected = index + 1;
            ++result.received;
        }
        if (!rx.empty()) {
            fail(count, "extra message after the last");
        }
    });

    std::thread sender([&] {
        places.pin_current_thread(0);
        ChannelSender tx;
        tx.attach(handoff.wait());
        Backoff backoff;
        uint8_t bytes[kChannelPayload];
        for (uint64_t index = 0; index < count; ++index) {
            const uint16_t length = stream_length(index);
            stream_filler(index, bytes + kHeader, length - kHeader);
            const uint64_t sum = checksum(index, bytes + kHeader, length - kHeader);
            std::memcpy(bytes, &index, 8);
            std::memcpy(bytes + 8, &sum, 8);
            while (!tx.try_send(static_cast<uint16_t>(index * 31 + 7), bytes, length)) {
                ++full_events;
                backoff.wait();
            }
            backoff.reset();
        }
    });

    sender.join();
    receiver.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[channel] %s: %llu messages through %u slots on %s: %.2f s, %.1f M msg/s, "
                "%llu full-ring refusals\n",
                label, static_cast<unsigned long long>(count), slots, places.description().c_str(),
                seconds, static_cast<double>(count) / seconds / 1e6,
                static_cast<unsigned long long>(full_events));
    EXPECT_EQ(result.errors, 0u) << "first at message " << result.first_bad << ": " << result.first_error;
    EXPECT_EQ(result.received, count);
    // Backpressure must actually have been exercised, or the test proved less.
    EXPECT_GT(full_events, 0u);
}

TEST(ChannelThreads, StreamsFiveMillionMessagesThroughSixtyFourSlots)
{
    stream(64, 5'000'000, "stream");
}

TEST(ChannelThreads, StreamsThroughOneSlotRing)
{
    stream(1, 500'000, "stream-1-slot");
}

// A request carries i; the echo carries a function of i, so a reply that
// answers the wrong request (or a stale slot) is caught.
uint64_t echo_of(uint64_t i) { return mix(i) ^ i; }

TEST(ChannelThreads, PingPongsOneMillionRoundTrips)
{
    constexpr uint64_t kRounds = 1'000'000;
    constexpr uint32_t kSlots = 4;
    Places places;
    Handoff to_echo;   // ring owned by the echo thread
    Handoff to_origin; // ring owned by the originating thread
    std::unique_ptr<RingMemory> echo_memory;
    std::unique_ptr<RingMemory> origin_memory;
    uint64_t echo_errors = 0;
    uint64_t origin_errors = 0;

    const auto start = std::chrono::steady_clock::now();
    std::thread echo([&] {
        places.pin_current_thread(1);
        echo_memory = std::make_unique<RingMemory>(kSlots);
        ChannelRing* ring = ChannelRing::create(echo_memory->get(), kSlots);
        ChannelReceiver rx;
        rx.attach(ring);
        to_echo.publish(ring);
        ChannelSender tx;
        tx.attach(to_origin.wait());

        Backoff backoff;
        ChannelMessage m;
        for (uint64_t i = 0; i < kRounds; ++i) {
            while (!rx.try_receive(m)) {
                backoff.wait();
            }
            backoff.reset();
            if (m.type != 1 || payload_as<uint64_t>(m) != i) {
                ++echo_errors;
            }
            // The origin waits for each echo before asking again, so there
            // is always room; a refusal here would be a bug, not load.
            if (!try_send_value(tx, 2, echo_of(i))) {
                ++echo_errors;
            }
        }
    });

    std::thread origin([&] {
        places.pin_current_thread(0);
        origin_memory = std::make_unique<RingMemory>(kSlots);
        ChannelRing* ring = ChannelRing::create(origin_memory->get(), kSlots);
        ChannelReceiver rx;
        rx.attach(ring);
        to_origin.publish(ring);
        ChannelSender tx;
        tx.attach(to_echo.wait());

        Backoff backoff;
        ChannelMessage m;
        for (uint64_t i = 0; i < kRounds; ++i) {
            if (!try_send_value(tx, 1, i)) {
                ++origin_errors;
            }
            while (!rx.try_receive(m)) {
                backoff.wait();
            }
            backoff.reset();
            if (m.type != 2 || payload_as<uint64_t>(m) != echo_of(i)) {
                ++origin_errors;
            }
        }
        if (!rx.empty()) {
            ++origin_errors;
        }
    });

    origin.join();
    echo.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[channel] ping-pong: %llu round trips on %s: %.2f s, %.0f ns per round trip\n",
                static_cast<unsigned long long>(kRounds), places.description().c_str(), seconds,
                seconds * 1e9 / static_cast<double>(kRounds));
    EXPECT_EQ(echo_errors, 0u);
    EXPECT_EQ(origin_errors, 0u);
}

} // namespace
} // namespace atoll_os
