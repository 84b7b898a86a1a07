// The first user program: user mode, the syscall ABI and its error returns.
// Each check prints one "USER PASS|FAIL" line; the exit status is the number
// of failures, which becomes the machine's shutdown status.
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/syscall.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

int g_failures;

void check(bool ok, const char* what)
{
    print("USER %s hello/%s", ok ? "PASS" : "FAIL", what);
    if (!ok) ++g_failures;
}

} // namespace

int main()
{
    print("hello from user mode");
    // Bad pointers and lengths come back as statuses; the kernel goes on.
    check(debug_write(reinterpret_cast<const char*>(0xffffffff80100000ull), 8) == Status::kBadAddress,
          "kernel_pointer_rejected");
    check(debug_write(reinterpret_cast<const char*>(0x1000), 8) == Status::kBadAddress, "unmapped_pointer_rejected");
    check(debug_write(reinterpret_cast<const char*>(0x00007ffffffffff0ull), 64) == Status::kBadAddress,
          "range_crossing_user_limit_rejected");
    check(debug_write("x", 100000) == Status::kInvalidArgument, "overlong_write_rejected");
    check(Status(raw_syscall(12345)) == Status::kNoSuchCall, "unknown_syscall_rejected");
    check(ok(yield()), "yield");
    check(ok(sleep_micros(20000)), "sleep");
    return g_failures;
}
