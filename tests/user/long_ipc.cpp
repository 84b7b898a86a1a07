// Long messages (64 words through the UTCBs), capabilities passed in
// messages with reduced rights, the grant right, and revoke of a derived
// tree, between two threads of one task.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kEndpoint = 5, kNoGrant = 6, kServerNote = 7, kGiven = 20;
constexpr uint64_t kSum = 1, kGive = 2, kQuit = 3;

alignas(16) char g_stack[16384];

void c(bool ok, const char* what) { check(ok, "long_ipc", what); }

// Answers: kSum -> sum of all 64 words, and the 60 UTCB words reversed;
// kGive -> a send-only copy of its notification; kQuit -> stops.
void server(Utcb* utcb)
{
    (void)notification_create(sys::kSlotSelf, kServerNote);
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, kEndpoint, 0, m, &badge, &info);
    while (ok(s) && m.w[0] != kQuit) {
        uint64_t flags = 0;
        if (m.w[0] == kSum) {
            uint64_t words = ipcflags::length(info), sum = m.w[0] + m.w[1] + m.w[2] + m.w[3];
            for (uint64_t i = 4; i < words; ++i) sum += utcb->mr[i];
            uint64_t reversed[Utcb::kWords];
            for (uint64_t i = 4; i < words; ++i) reversed[i] = utcb->mr[words + 3 - i];
            for (uint64_t i = 4; i < words; ++i) utcb->mr[i] = reversed[i];
            m = Message{{sum, words, 0, 0}};
            flags = ipcflags::with_length(words);
        } else if (m.w[0] == kGive) {
            utcb->transfer_slot = kServerNote;
            utcb->transfer_rights = rights::kSend;
            m = Message{{0, 0, 0, 0}};
            flags = ipcflags::kTransferCap;
        }
        s = ipc_syscall(sys::kReplyReceive, kEndpoint, flags, m, &badge, &info);
    }
    (void)reply(Message{});
    thread_exit(0);
}

} // namespace

int main()
{
    Utcb* me = main_utcb;
    c(endpoint_create(sys::kSlotSelf, kEndpoint) == Status::kOk, "endpoint");
    c(ok(thread_create(sys::kSlotSelf, server, g_stack + sizeof g_stack, 100)), "server_thread");

    // 64 words: 4 in registers, 60 in the UTCB.
    uint64_t expect = kSum + 2 + 3 + 4;
    for (uint64_t i = 4; i < Utcb::kWords; ++i) expect += me->mr[i] = 1000 + i;
    Message m{{kSum, 2, 3, 4}};
    uint64_t info = 0;
    Status s = ipc_syscall(sys::kCall, kEndpoint, ipcflags::with_length(Utcb::kWords), m, nullptr, &info);
    bool reversed = true;
    for (uint64_t i = 4; i < Utcb::kWords; ++i) reversed = reversed && me->mr[i] == 1000 + (Utcb::kWords + 3 - i);
    c(ok(s) && m.w[0] == expect && m.w[1] == Utcb::kWords, "sixty_four_word_call");
    c(ipcflags::length(info) == Utcb::kWords && reversed, "sixty_four_word_reply");

    // A capability in the reply, with fewer rights than the server's.
    me->receive_slot = kGiven;
    Message give{{kGive, 0, 0, 0}};
    s = ipc_syscall(sys::kCall, kEndpoint, 0, give, nullptr, &info);
    c(ok(s) && (info & ipcflags::kTransferCap) && me->transfer_status == int64_t(Status::kOk), "capability_received");
    uint64_t bits = 0;
    c(ok(signal(kGiven, 0x10)), "received_capability_works");
    c(wait(kGiven, bits) == Status::kNoRights, "received_capability_has_reduced_rights");

    // Passing a capability needs the grant right on the endpoint capability.
    c(cap_copy(kEndpoint, kNoGrant, rights::kSend) == Status::kOk, "copy_without_grant");
    me->transfer_slot = kEndpoint;
    me->transfer_rights = rights::kSend;
    Message pass{{0, 0, 0, 0}};
    c(ipc_syscall(sys::kCall, kNoGrant, ipcflags::kTransferCap, pass) == Status::kNoRights, "grant_right_enforced");

    // Revoke: a tree derived from slot 30 disappears, slot 30 stays.
    c(endpoint_create(sys::kSlotSelf, 30) == Status::kOk && cap_copy(30, 31, rights::kAll) == Status::kOk &&
          cap_copy(31, 32, rights::kSend) == Status::kOk && cap_copy(30, 33, rights::kSend) == Status::kOk,
      "derived_tree");
    c(cap_delete(31) == Status::kOk, "delete_middle_keeps_children");
    Message probe{};
    c(call(32, probe, kNonBlocking) == Status::kWouldBlock, "child_survives_parent_delete");
    c(cap_revoke(30) == Status::kOk, "revoke");
    c(call(32, probe, kNonBlocking) == Status::kInvalidCapability &&
          call(33, probe, kNonBlocking) == Status::kInvalidCapability,
      "revoked_children_gone");
    c(call(30, probe, kNonBlocking) == Status::kWouldBlock, "revoked_root_stays");

    Message quit{{kQuit, 0, 0, 0}};
    c(ok(call(kEndpoint, quit)), "server_stops");
    return g_check_failures;
}
