// Every message kernel instances exchange, one registry line per type, and
// the payloads that go with them (each fits one 56-byte channel slot).
#pragma once

#include <stdint.h>

namespace atoll_os {

enum class Msg : uint16_t {
    kOnline = 1,      // AP -> core 0: I am up (CoreOnline)
    kLogLine,         // any -> core 0: a fragment of one log line
    kRunTests,        // core 0 -> AP: run your in-kernel tests
    kTestsDone,       // AP -> core 0: TestsDone
    kPing,            // test traffic: Ping, answered with kPong
    kPong,
    kShutdown,        // core 0 -> AP: stop
    kShutdownAck,     // AP -> core 0: ShutdownAck, then the AP halts
    kCount
};

struct CoreOnline { uint32_t core, apic_id; };
struct TestsDone { uint32_t passed, failed; };
struct Ping { uint64_t seq; uint64_t check; uint8_t filler[40]; };
struct ShutdownAck { uint64_t sent_to_boot_core, received_from_boot_core; };

inline constexpr uint8_t kLogFragmentLast = 1;

} // namespace atoll_os
