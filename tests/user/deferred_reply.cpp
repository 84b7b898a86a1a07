// Reply objects: a server keeps caller A's reply right, answers caller B
// first, then A; a reply right works once; one dropped unused tells its
// caller kDead.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kEndpoint = 5, kSavedA = 40, kSavedC = 41;

alignas(16) char g_server_stack[16384], g_b_stack[8192], g_c_stack[8192];
volatile uint64_t g_finished, g_a_rank, g_b_rank, g_b_answer, g_c_status = ~0ull;
volatile bool g_used_twice_refused, g_save_without_caller_refused;

void c(bool ok, const char* what) { check(ok, "deferred_reply", what); }

void server(Utcb*)
{
    Message m{};
    uint64_t badge;
    g_save_without_caller_refused = reply_save(sys::kSlotSelf, kSavedA) == Status::kInvalidArgument;
    (void)receive(kEndpoint, m, badge);                 // A
    (void)reply_save(sys::kSlotSelf, kSavedA);
    (void)receive(kEndpoint, m, badge);                 // B, answered at once
    (void)reply(Message{{m.w[0] + 1, 0, 0, 0}});
    (void)reply_with(kSavedA, Message{{'A' + 1, 0, 0, 0}});
    g_used_twice_refused = reply_with(kSavedA, Message{}) == Status::kInvalidArgument;
    (void)receive(kEndpoint, m, badge);                 // C: kept, then dropped
    (void)reply_save(sys::kSlotSelf, kSavedC);
    (void)cap_delete(kSavedC);
    thread_exit(0);
}

void client_b(Utcb*)
{
    (void)sleep_micros(10000); // after A
    Message m{{'B', 0, 0, 0}};
    if (ok(call(kEndpoint, m))) g_b_answer = m.w[0];
    g_finished = g_finished + 1;
    g_b_rank = g_finished;
    thread_exit(0);
}

void client_c(Utcb*)
{
    (void)sleep_micros(40000);
    Message m{{'C', 0, 0, 0}};
    g_c_status = uint64_t(call(kEndpoint, m));
    thread_exit(0);
}

} // namespace

int main()
{
    c(endpoint_create(sys::kSlotSelf, kEndpoint) == Status::kOk, "endpoint");
    c(ok(thread_create(sys::kSlotSelf, server, g_server_stack + sizeof g_server_stack, 100)) &&
          ok(thread_create(sys::kSlotSelf, client_b, g_b_stack + sizeof g_b_stack, 100)) &&
          ok(thread_create(sys::kSlotSelf, client_c, g_c_stack + sizeof g_c_stack, 100)),
      "threads");
    Message a{{'A', 0, 0, 0}};
    Status s = call(kEndpoint, a);
    g_finished = g_finished + 1;
    g_a_rank = g_finished;
    c(ok(s) && a.w[0] == 'A' + 1, "saved_reply_answers_later");
    c(g_b_answer == 'B' + 1 && g_b_rank == 1 && g_a_rank == 2, "later_caller_answered_first");
    c(g_used_twice_refused, "reply_right_is_one_shot");
    c(g_save_without_caller_refused, "nothing_to_save_refused");
    (void)sleep_micros(80000);
    c(g_c_status == uint64_t(Status::kDead), "dropped_reply_tells_caller_dead");
    return g_check_failures;
}
