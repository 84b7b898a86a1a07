// Two copies of this program run side by side on one core, each keeping
// values in SSE registers across yields and preemption: any FPU state leak
// between threads changes the result.
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/syscall.hpp"

using namespace atoll_os::user;

namespace {

// A fixed series in double precision; the compiler keeps it in xmm registers.
double series(unsigned rounds, bool yield_between)
{
    double x = 1.0, y = 0.5;
    for (unsigned i = 0; i < rounds; ++i) {
        x = x * 1.000001 + y;
        y = y * 0.999999 + 1.0 / (x + 1.0);
        if (yield_between && i % 100000 == 0) (void)yield();
    }
    return x + y;
}

} // namespace

int main()
{
    double alone = series(3000000, false);
    double shared = series(3000000, true);
    bool same = alone == shared;
    print("USER %s fpu/state_survives_switches (%d.%06d)", same ? "PASS" : "FAIL", int(alone),
          int((alone - int(alone)) * 1e6));
    return same ? 0 : 1;
}
