// Channel tests: ring semantics driven from one thread, both ends in turn.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>

#include "percpu/channel.hpp"
#include "tests/host/channel/channel_test_memory.hpp"

namespace atoll_os {
namespace {

using test::RingMemory;

// Both ends of one ring, as two cores would hold them.
struct Pair {
    explicit Pair(uint32_t slots, uint64_t first = 0)
        : memory(slots),
          ring(first == 0 ? ChannelRing::create(memory.get(), slots)
                          : ChannelRing::create_for_test(memory.get(), slots, first))
    {
        if (ring != nullptr) {
            rx.attach(ring);
            tx.attach(ring);
        }
    }
    RingMemory memory;
    ChannelRing* ring;
    ChannelSender tx;
    ChannelReceiver rx;
};

// Payload bytes derived from the message number, so any slip shows.
void fill(uint8_t* out, uint64_t n, size_t length)
{
    for (size_t i = 0; i < length; ++i) {
        out[i] = static_cast<uint8_t>(n * 131 + i * 7 + (n >> 8));
    }
}

uint16_t length_for(uint64_t n) { return static_cast<uint16_t>(n % (kChannelPayload + 1)); }
uint16_t type_for(uint64_t n) { return static_cast<uint16_t>(n * 40503u + 1); }

bool send_numbered(ChannelSender& tx, uint64_t n)
{
    uint8_t bytes[kChannelPayload];
    const uint16_t length = length_for(n);
    fill(bytes, n, length);
    return tx.try_send(type_for(n), bytes, length);
}

// Checks message n arrived intact: type, length, payload, zeroed tail.
void expect_numbered(const ChannelMessage& m, uint64_t n)
{
    uint8_t bytes[kChannelPayload] = {};
    const uint16_t length = length_for(n);
    fill(bytes, n, length);
    ASSERT_EQ(m.type, type_for(n)) << "message " << n;
    ASSERT_EQ(m.length, length) << "message " << n;
    ASSERT_EQ(std::memcmp(m.payload, bytes, kChannelPayload), 0) << "message " << n;
}

TEST(ChannelLayout, SlotAndHeaderAreOneCacheLineEach)
{
    static_assert(sizeof(ChannelSlot) == 64 && alignof(ChannelSlot) == 64);
    static_assert(sizeof(ChannelRing) == 64 && alignof(ChannelRing) == 64);
    static_assert(offsetof(ChannelSlot, payload) == 8);
    static_assert(sizeof(ChannelMessage) == 60);
    static_assert(ChannelRing::bytes_for(1) == 128);
    static_assert(ChannelRing::bytes_for(64) == 65 * 64);
    RingMemory memory(4);
    ChannelRing* ring = ChannelRing::create(memory.get(), 4);
    ASSERT_NE(ring, nullptr);
    EXPECT_EQ(static_cast<void*>(ring), memory.get());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ring->slots()) - reinterpret_cast<uintptr_t>(ring), 64u);
}

TEST(ChannelCreate, RejectsBadArguments)
{
    RingMemory memory(8);
    EXPECT_EQ(ChannelRing::create(nullptr, 4), nullptr);
    EXPECT_EQ(ChannelRing::create(memory.get(), 0), nullptr);
    EXPECT_EQ(ChannelRing::create(memory.get(), 3), nullptr);
    EXPECT_EQ(ChannelRing::create(memory.get(), 6), nullptr);
    EXPECT_EQ(ChannelRing::create(static_cast<char*>(memory.get()) + 8, 4), nullptr);
    EXPECT_EQ(ChannelRing::create(static_cast<char*>(memory.get()) + 32, 4), nullptr);
    EXPECT_NE(ChannelRing::create(memory.get(), 1), nullptr);
    EXPECT_NE(ChannelRing::create(memory.get(), 8), nullptr);
}

TEST(ChannelCreate, ClearsPoisonedMemory)
{
    RingMemory memory(16);
    ChannelRing* ring = ChannelRing::create(memory.get(), 16);
    ASSERT_NE(ring, nullptr);
    EXPECT_EQ(ring->consumed.load(), 0u);
    EXPECT_EQ(ring->slot_count, 16u);
    for (uint32_t i = 0; i < 16; ++i) {
        const ChannelSlot& slot = ring->slots()[i];
        EXPECT_EQ(slot.type, 0);
        EXPECT_EQ(slot.length, 0);
        for (uint8_t byte : slot.payload) {
            ASSERT_EQ(byte, 0) << "slot " << i;
        }
        // Last lap's stamp, never the one the first lap waits for.
        EXPECT_NE(slot.seq.load(), i + 1);
    }
    ChannelReceiver rx;
    rx.attach(ring);
    ChannelMessage m;
    EXPECT_TRUE(rx.empty());
    EXPECT_FALSE(rx.try_receive(m));
}

TEST(ChannelSingleThread, DeliversInFifoOrder)
{
    Pair p(8);
    ASSERT_NE(p.ring, nullptr);
    for (uint64_t n = 0; n < 8; ++n) {
        ASSERT_TRUE(send_numbered(p.tx, n));
    }
    EXPECT_EQ(p.tx.sent(), 8u);
    for (uint64_t n = 0; n < 8; ++n) {
        ChannelMessage m;
        ASSERT_TRUE(p.rx.try_receive(m));
        expect_numbered(m, n);
    }
    ChannelMessage m;
    EXPECT_FALSE(p.rx.try_receive(m));
    EXPECT_EQ(p.rx.received(), 8u);
}

TEST(ChannelSingleThread, FullRingRefusesOneMoreUntilSpaceIsFreed)
{
    Pair p(8);
    ASSERT_NE(p.ring, nullptr);
    for (uint64_t n = 0; n < 8; ++n) {
        ASSERT_TRUE(send_numbered(p.tx, n)) << n;
    }
    EXPECT_FALSE(send_numbered(p.tx, 8));
    EXPECT_FALSE(send_numbered(p.tx, 8));
    EXPECT_EQ(p.tx.sent(), 8u);

    ChannelMessage m;
    ASSERT_TRUE(p.rx.try_receive(m));
    expect_numbered(m, 0);
    // One slot freed: exactly one more fits.
    EXPECT_TRUE(send_numbered(p.tx, 8));
    EXPECT_FALSE(send_numbered(p.tx, 9));
    for (uint64_t n = 1; n <= 8; ++n) {
        ASSERT_TRUE(p.rx.try_receive(m));
        expect_numbered(m, n);
    }
    EXPECT_FALSE(p.rx.try_receive(m));
}

TEST(ChannelSingleThread, OneSlotRingAlternates)
{
    Pair p(1);
    ASSERT_NE(p.ring, nullptr);
    ChannelMessage m;
    for (uint64_t n = 0; n < 1000; ++n) {
        ASSERT_TRUE(send_numbered(p.tx, n));
        ASSERT_FALSE(send_numbered(p.tx, n + 1));
        ASSERT_TRUE(p.rx.try_receive(m));
        expect_numbered(m, n);
        ASSERT_FALSE(p.rx.try_receive(m));
    }
}

TEST(ChannelSingleThread, PayloadRoundTripsAtEveryLength)
{
    Pair p(64);
    ASSERT_NE(p.ring, nullptr);
    for (uint16_t length = 0; length <= kChannelPayload; ++length) {
        uint8_t bytes[kChannelPayload];
        for (size_t i = 0; i < kChannelPayload; ++i) {
            bytes[i] = static_cast<uint8_t>(0xC0 + length + i);
        }
        ASSERT_TRUE(p.tx.try_send(length, bytes, length));
        ChannelMessage m;
        ASSERT_TRUE(p.rx.try_receive(m));
        EXPECT_EQ(m.type, length);
        EXPECT_EQ(m.length, length);
        EXPECT_EQ(std::memcmp(m.payload, bytes, length), 0) << length;
        for (size_t i = length; i < kChannelPayload; ++i) {
            ASSERT_EQ(m.payload[i], 0) << "length " << length << " byte " << i;
        }
    }
}

TEST(ChannelSingleThread, ShortMessageNeverShowsAnOlderOnesBytes)
{
    Pair p(1);
    ASSERT_NE(p.ring, nullptr);
    uint8_t ones[kChannelPayload];
    std::memset(ones, 0xFF, sizeof ones);
    ChannelMessage m;
    ASSERT_TRUE(p.tx.try_send(1, ones, kChannelPayload));
    ASSERT_TRUE(p.rx.try_receive(m));
    const uint8_t three[3] = {1, 2, 3};
    ASSERT_TRUE(p.tx.try_send(2, three, 3));
    ASSERT_TRUE(p.rx.try_receive(m));
    EXPECT_EQ(m.length, 3);
    EXPECT_EQ(m.payload[2], 3);
    for (size_t i = 3; i < kChannelPayload; ++i) {
        ASSERT_EQ(m.payload[i], 0) << i;
    }
    ASSERT_TRUE(p.tx.try_send(3, nullptr, 0));
    ASSERT_TRUE(p.rx.try_receive(m));
    EXPECT_EQ(m.type, 3);
    EXPECT_EQ(m.length, 0);
    EXPECT_EQ(m.payload[0], 0);
}

TEST(ChannelSingleThread, OversizeLengthIsRefusedAndSendsNothing)
{
    Pair p(4);
    ASSERT_NE(p.ring, nullptr);
    uint8_t big[128] = {};
    EXPECT_FALSE(p.tx.try_send(1, big, kChannelPayload + 1));
    EXPECT_FALSE(p.tx.try_send(1, big, 64));
    EXPECT_FALSE(p.tx.try_send(1, big, UINT16_MAX));
    EXPECT_EQ(p.tx.sent(), 0u);
    EXPECT_TRUE(p.rx.empty());
    EXPECT_TRUE(p.tx.try_send(1, big, kChannelPayload));
    EXPECT_EQ(p.tx.sent(), 1u);
    EXPECT_FALSE(p.rx.empty());
}

TEST(ChannelSingleThread, WrapsAroundOverManyLapsAtVaryingFill)
{
    Pair p(4);
    ASSERT_NE(p.ring, nullptr);
    uint64_t next_send = 0;
    uint64_t next_receive = 0;
    uint32_t rng = 12345;
    ChannelMessage m;
    while (next_receive < 200000) {
        rng = rng * 1103515245u + 12345u;
        const unsigned burst = (rng >> 16) % 6;
        for (unsigned i = 0; i < burst; ++i) {
            const bool room = next_send - next_receive < 4;
            ASSERT_EQ(send_numbered(p.tx, next_send), room) << next_send;
            if (room) {
                ++next_send;
            }
        }
        const unsigned drain = (rng >> 24) % 6;
        for (unsigned i = 0; i < drain; ++i) {
            const bool pending = next_receive < next_send;
            ASSERT_EQ(p.rx.empty(), !pending);
            ASSERT_EQ(p.rx.try_receive(m), pending);
            if (pending) {
                expect_numbered(m, next_receive);
                ++next_receive;
            }
        }
    }
    EXPECT_EQ(p.tx.sent(), next_send);
    EXPECT_EQ(p.rx.received(), next_receive);
}

TEST(ChannelSingleThread, UnattachedEndsRefuse)
{
    ChannelSender tx;
    ChannelReceiver rx;
    EXPECT_FALSE(tx.attached());
    EXPECT_FALSE(tx.try_send(1, nullptr, 0));
    EXPECT_EQ(tx.sent(), 0u);
    ChannelMessage m;
    EXPECT_TRUE(rx.empty());
    EXPECT_FALSE(rx.try_receive(m));
    Pair p(2);
    EXPECT_TRUE(p.tx.attached());
}

struct Sample {
    uint32_t id;
    uint16_t flags;
    uint64_t address;
};

struct FullSize {
    uint8_t bytes[kChannelPayload];
};

TEST(ChannelValues, RoundTripTriviallyCopyableValues)
{
    Pair p(4);
    ASSERT_NE(p.ring, nullptr);
    const Sample sent{7, 0x8001, 0xFFFF'8000'0000'1000};
    ASSERT_TRUE(try_send_value(p.tx, 42, sent));
    FullSize full;
    for (size_t i = 0; i < kChannelPayload; ++i) {
        full.bytes[i] = static_cast<uint8_t>(i + 1);
    }
    ASSERT_TRUE(try_send_value(p.tx, 43, full));
    ASSERT_TRUE(try_send_value(p.tx, 44, uint16_t{0xBEEF}));

    ChannelMessage m;
    ASSERT_TRUE(p.rx.try_receive(m));
    EXPECT_EQ(m.type, 42);
    EXPECT_EQ(m.length, sizeof(Sample));
    const Sample got = payload_as<Sample>(m);
    EXPECT_EQ(got.id, sent.id);
    EXPECT_EQ(got.flags, sent.flags);
    EXPECT_EQ(got.address, sent.address);

    ASSERT_TRUE(p.rx.try_receive(m));
    EXPECT_EQ(m.length, kChannelPayload);
    EXPECT_EQ(std::memcmp(payload_as<FullSize>(m).bytes, full.bytes, kChannelPayload), 0);

    // A two-byte message read as a wider type comes back zero-extended.
    ASSERT_TRUE(p.rx.try_receive(m));
    EXPECT_EQ(payload_as<uint16_t>(m), 0xBEEF);
    EXPECT_EQ(payload_as<uint64_t>(m), 0xBEEFu);
}

// Numbering that starts just short of a wrap, to cross 2^32 (where the
// 32-bit seq wraps to 0) or 2^64 (where the counters themselves wrap).
struct WrapCase {
    uint32_t slots;
    uint64_t first;
};

void PrintTo(const WrapCase& c, std::ostream* os)
{
    *os << c.slots << " slots from message " << c.first;
}

class ChannelSequenceWrap : public ::testing::TestWithParam<WrapCase> {};

TEST_P(ChannelSequenceWrap, CrossesTheWrapInOrderAndStillDetectsFull)
{
    const WrapCase c = GetParam();
    Pair p(c.slots, c.first);
    ASSERT_NE(p.ring, nullptr);
    EXPECT_EQ(p.tx.sent(), c.first);
    EXPECT_EQ(p.rx.received(), c.first);
    ChannelMessage m;
    // The fresh ring's stamps must not pass for the first lap's messages,
    // including the one whose seq is uint32_t(2^32) == 0.
    ASSERT_TRUE(p.rx.empty());
    ASSERT_FALSE(p.rx.try_receive(m));

    uint64_t n = c.first;
    for (int lap = 0; lap < 6; ++lap) {
        for (uint32_t i = 0; i < c.slots; ++i) {
            ASSERT_TRUE(send_numbered(p.tx, n + i)) << "lap " << lap;
        }
        ASSERT_FALSE(send_numbered(p.tx, n + c.slots)) << "lap " << lap;
        for (uint32_t i = 0; i < c.slots; ++i) {
            ASSERT_TRUE(p.rx.try_receive(m)) << "lap " << lap;
            expect_numbered(m, n + i);
        }
        ASSERT_FALSE(p.rx.try_receive(m)) << "lap " << lap;
        n += c.slots;
    }
    // Half-full interleaving across the same wrap point once more.
    Pair q(c.slots, c.first);
    n = c.first;
    for (uint64_t k = 0; k < 20ull * c.slots; ++k) {
        ASSERT_TRUE(send_numbered(q.tx, c.first + k));
        const uint64_t outstanding = c.first + k + 1 - n;
        if (k % 2 == 1 || outstanding == c.slots) {
            ASSERT_TRUE(q.rx.try_receive(m));
            expect_numbered(m, n++);
        }
    }
    while (q.rx.try_receive(m)) {
        expect_numbered(m, n++);
    }
    EXPECT_EQ(n, c.first + 20ull * c.slots);
}

constexpr uint64_t k2To32 = uint64_t{1} << 32;

INSTANTIATE_TEST_SUITE_P(
    ChannelNearWrap, ChannelSequenceWrap,
    ::testing::Values(WrapCase{1, k2To32 - 2}, WrapCase{4, k2To32 - 1}, WrapCase{4, k2To32 - 3},
                      WrapCase{4, k2To32 - 4}, WrapCase{8, k2To32 - 5}, WrapCase{8, 2 * k2To32 - 1},
                      WrapCase{16, UINT64_MAX - 20}, WrapCase{2, UINT64_MAX}),
    [](const ::testing::TestParamInfo<WrapCase>& info) {
        return "Slots" + std::to_string(info.param.slots) + "Case" + std::to_string(info.index);
    });

} // namespace
} // namespace atoll_os
