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
    kStall,           // test: Stall: keep interrupts off and serve nothing for a while
    // Cross-core capabilities and IPC (percpu/remote_ipc.hpp); the names
    // match tests/model/capability_protocol.pml where it models them.
    kIpcCall,         // holder -> owner: RemoteCall, then kIpcWords fragments for a long message
    kIpcWords,        // a fragment of message words (IpcWords)
    kIpcReply,        // owner -> caller's core: RemoteReply, then kIpcWords fragments
    kSignalRemote,    // holder -> owner: RemoteSignal
    kHolderRelease,   // holder -> owner: HolderRelease: this core holds no copy any more
    kStartFirstTask,  // core 0 -> core N: StartFirstTask
    kFirstTaskEnded,  // core N -> core 0: FirstTaskEnded
    kIpcCap,          // holder -> owner of an endpoint: IpcCap, the capability a kIpcCall carries
    kRevokeRequest,   // owner -> holder: RevokeRequest: your copies of this object are void
    kRevokeAck,       // holder -> owner: RevokeAck: none of them can be used any more
    kCoreEndpointRequest, // core 0 -> core N: CoreEndpointRequest
    kCoreEndpointToken,   // core N -> core 0: CoreEndpointToken
    kCoreEndpointTable,   // core 0 -> core N: CoreEndpointTable fragments
    // Invoking a Task another core owns (percpu/remote_invoke.hpp).
    kInvoke,          // holder -> owner: Invoke, then kInvokeName, kInvokeCap as its flags say
    kInvokeName,      // a task's name (InvokeName) for an Invoke creating one
    kInvokeCap,       // the capability an Invoke passes (IpcCap)
    kInvokeReply,     // owner -> holder: InvokeReply
    kCoreTaskRequest, // core 0 -> core N: make your core task (the root task creates work on you through it)
    kCoreTaskToken,   // core N -> core 0: CoreEndpointToken naming it
    // A capability passed to core Y names an object a third core owns:
    // Y asks the owner to record it as a holder before it takes the copy.
    kTransferRequest, // Y -> owner: TransferRequest
    kTransferGrant,   // owner -> Y: TransferGrant (a status: refused when the object is gone or revoked)
    kCountsRequest,   // core 0 -> AP, at shutdown: CountsRequest
    kCountsReport,    // AP -> core 0: CountsReport fragments, every peer's counts
    // An address space used on several cores (percpu/span.hpp): the origin
    // core keeps each span's copy of its page tables and waits for acks.
    kSpanMap,         // origin -> span core, urgent: SpanMap
    kSpanUnmap,       // origin -> span core, urgent: SpanUnmap (removed and flushed before the ack)
    kSpanAck,         // span core -> origin, urgent: done
    kSpanLeave,       // span core -> origin: SpanLeave, the span has ended
    kCount
};

struct CoreOnline { uint32_t core, apic_id; };
struct TestsDone { uint32_t passed, failed; };
struct Ping { uint64_t seq; uint64_t check; uint8_t filler[40]; };
struct Stall { uint64_t micros; };
// selfcheck: 0 not run (no work was placed here), 1 ok, 2 failed.
struct ShutdownAck { uint64_t sent_to_boot_core, received_from_boot_core; uint32_t selfcheck; };

inline constexpr uint8_t kLogFragmentLast = 1;

// An exported object: which slot of the owner's export table, and the
// generation that slot had when the token was made (a reused slot no longer
// matches).
struct ExportToken {
    uint32_t index;
    uint16_t generation;
    uint16_t type; // ObjectType of the object, for the holder's checks
};

inline constexpr uint8_t kRemoteCallWaits = 1, kRemoteNonBlocking = 2, kRemoteCarriesCap = 4;
inline constexpr uint8_t kRemoteFault = 8; // words: address, ip, vector | error << 8, thread id

// A call or send to an endpoint another core owns, in one slot when it is
// short: `caller` names the waiting thread on the sending core (meaningless
// elsewhere); words 4.. of a long message follow in kIpcWords fragments.
struct RemoteCall {
    uint32_t endpoint_index;
    uint16_t endpoint_generation;
    uint8_t words; // message length, 4..64
    uint8_t flags; // kRemoteCallWaits, kRemoteNonBlocking, kRemoteCarriesCap (a kIpcCap follows the words)
    uint64_t badge;
    uint64_t caller;
    uint64_t w[4];
};
static_assert(sizeof(RemoteCall) == 56);

struct RemoteReply {
    uint64_t caller;
    int32_t status;
    uint8_t words;
    uint8_t flags; // kRemoteCarriesCap: an IpcCap follows the words
    uint8_t pad[2];
    uint64_t w[4];
};
static_assert(sizeof(RemoteReply) <= 56);

// Up to six message words, continuing the last kIpcCall or kIpcReply.
struct IpcWords {
    uint64_t w[6];
};

// A capability passed in a cross-core call: the object's owner core and
// its token there (the sender's core exported it to the receiving core
// first, unless the receiving core owns it), rights as reduced, badge.
struct IpcCap {
    uint32_t owner;
    uint32_t rights;
    ExportToken object;
    uint64_t badge;
    uint64_t frame_phys, frame_bytes; // a Frame: the memory, so the receiving core can map it
};
static_assert(sizeof(IpcCap) <= 56);

struct RevokeRequest {
    ExportToken object;
    uint64_t revoker; // the owner's thread waiting for every holder's RevokeAck
};
struct RevokeAck {
    uint64_t revoker;
};

struct RemoteSignal {
    ExportToken notification;
    uint64_t bits;
};

// `installed`: how many copies of the token this core took in since its
// last release (the owner counts what it sent; a difference is a copy
// still on its way, and the holder stays one).
struct HolderRelease {
    ExportToken object;
    uint32_t installed;
};

// Start boot module `module` as a first task on the receiving core, with a
// capability to core 0's boot endpoint in slot 1.
struct StartFirstTask {
    uint32_t module;
    uint8_t priority;
    uint8_t pad[3];
    ExportToken boot_endpoint;
    uint64_t quota;
};

// Every core in `cores` makes an endpoint of its own, exported to the others.
struct CoreEndpointRequest {
    uint64_t cores[4]; // bit per core
};
struct CoreEndpointToken {
    uint32_t core;
    uint32_t pad;
    ExportToken token;
};
// Tokens of cores [first, first + count), in order; index ~0: no endpoint.
struct CoreEndpointTable {
    uint16_t first, count;
    uint32_t pad;
    ExportToken tokens[6];
};

inline constexpr uint8_t kInvokeCarriesName = 1, kInvokeCarriesCap = 2;

// A system call on a Task capability naming another core's task: the
// owner does it (creating objects there, setting the task up) and answers
// with InvokeReply. `op` is the sys::Number; `a` the call's other words.
struct Invoke {
    ExportToken target;
    uint16_t op;
    uint8_t priority; // the caller's: a thread it creates may not outrank it
    uint8_t flags;    // kInvokeCarriesName, kInvokeCarriesCap
    uint32_t rights;  // of the caller's capability to the target
    uint64_t caller;
    uint64_t a[4];
};
static_assert(sizeof(Invoke) == 56);

struct InvokeName {
    char text[48];
};

// `made`: the object the call created, exported to the caller's core
// (index ~0 when none), with the rights its capability gets.
struct InvokeReply {
    uint64_t caller;
    int32_t status;
    uint32_t made_rights;
    ExportToken made;
    uint64_t w[3];
    uint64_t frame_phys; // a Frame it made: its memory (w[0] = bytes)
};
static_assert(sizeof(InvokeReply) <= 56);

struct TransferRequest {
    ExportToken object;
    uint64_t context; // Y's, echoed in the grant
};
struct TransferGrant {
    uint64_t context;
    int32_t status;
    uint32_t pad;
    uint64_t frame_phys, frame_bytes; // a Frame: its memory, from the owner itself
};

// At shutdown core 0 checks every pair of APs: what one sent the other
// received (per-pair channel counts, percpu/coordinator.cpp).
struct CountsRequest {
    uint32_t round;
};
struct CountsReport {
    uint32_t round;
    uint16_t first, count; // peers [first, first + count)
    uint64_t sent[3], received[3];
};
static_assert(sizeof(CountsReport) <= 56);

// `pages` pages from `va` on map to consecutive frames from `leaf`'s, with
// `leaf`'s bits (the origin's page-table entry of the first page).
// A span as its core's span table names it (percpu/span.cpp): not an
// export, so no revoke of capabilities can make it stale while it lives.
struct SpanKey {
    uint32_t index;
    uint16_t generation;
    uint16_t pad;
};
struct SpanMap {
    SpanKey span;
    uint32_t pages;
    uint32_t pad;
    uint64_t va;
    uint64_t leaf;
};
inline constexpr uint32_t kSpanAllPages = ~0u; // a SpanUnmap of the whole shared range: the origin ended
struct SpanUnmap {
    SpanKey span;
    uint32_t pages;
    uint32_t pad;
    uint64_t va;
};
struct SpanLeave {
    ExportToken origin;
};

struct FirstTaskEnded {
    int64_t code;
    uint32_t selfcheck_ok; // the core's memory was all back after its last first task
    uint32_t last;         // it was that core's last first task
};

} // namespace atoll_os
