// Notifications: accumulate and take, blocking wait, and a notification
// bound to a thread ending that thread's endpoint receive.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kNote = 10, kEndpoint = 11, kNoteReceiveOnly = 12, kServerNote = 13;

alignas(16) char g_waiter_stack[8192];
alignas(16) char g_server_stack[8192];
volatile uint64_t g_waiter_bits;
volatile uint64_t g_server_saw_signal, g_server_saw_message;

void c(bool ok, const char* what) { check(ok, "notify", what); }

void waiter(Utcb*)
{
    uint64_t bits = 0;
    Status s = wait(kNote, bits);
    g_waiter_bits = ok(s) ? bits : ~0ull;
    thread_exit(0);
}

// Waits for messages and for its bound notification with one receive.
void server(Utcb*)
{
    (void)notification_bind(kServerNote);
    for (int events = 0; events < 2; ++events) {
        Message m{};
        uint64_t badge = 0;
        if (!ok(receive(kEndpoint, m, badge))) break;
        if (badge == sys::kNotificationBadge) {
            g_server_saw_signal = m.w[0];
        } else {
            g_server_saw_message = m.w[0];
            (void)reply(Message{{m.w[0] + 1, 0, 0, 0}});
        }
    }
    thread_exit(0);
}

} // namespace

int main()
{
    uint64_t bits = 1;
    c(notification_create(sys::kSlotSelf, kNote) == Status::kOk, "create");
    c(ok(poll(kNote, bits)) && bits == 0, "poll_empty");
    c(ok(signal(kNote, 0x1)) && ok(signal(kNote, 0x4)), "signal");
    c(ok(poll(kNote, bits)) && bits == 0x5, "signals_accumulate");
    c(ok(poll(kNote, bits)) && bits == 0, "poll_takes_all");

    c(ok(thread_create(sys::kSlotSelf, waiter, g_waiter_stack + sizeof g_waiter_stack, 100)), "waiter_thread");
    (void)sleep_micros(20000); // the waiter blocks in wait()
    c(g_waiter_bits == 0, "wait_blocks_while_empty");
    c(ok(signal(kNote, 0x80)), "signal_wakes");
    (void)sleep_micros(20000);
    c(g_waiter_bits == 0x80, "waiter_got_the_bits");

    c(cap_copy(kNote, kNoteReceiveOnly, rights::kReceive) == Status::kOk, "receive_only_copy");
    c(signal(kNoteReceiveOnly, 1) == Status::kNoRights, "signal_needs_send_right");
    c(cap_copy(kNote, 14, rights::kAll, sys::kNotificationBadge) == Status::kInvalidArgument,
      "notification_badge_reserved");

    c(endpoint_create(sys::kSlotSelf, kEndpoint) == Status::kOk &&
          notification_create(sys::kSlotSelf, kServerNote) == Status::kOk,
      "server_objects");
    c(ok(thread_create(sys::kSlotSelf, server, g_server_stack + sizeof g_server_stack, 100)), "server_thread");
    (void)sleep_micros(20000); // the server blocks receiving on the endpoint
    c(ok(signal(kServerNote, 0x8)), "signal_bound");
    (void)sleep_micros(20000);
    c(g_server_saw_signal == 0x8, "bound_signal_ends_receive");
    Message m{{41, 0, 0, 0}};
    c(ok(call(kEndpoint, m)) && m.w[0] == 42 && g_server_saw_message == 41, "same_receive_takes_messages");
    return g_check_failures;
}
