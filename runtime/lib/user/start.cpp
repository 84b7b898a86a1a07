// C++ start-up for user programs: global constructors, main, exit.
#include "kernel/abi/utcb.hpp"
#include "runtime/lib/user/syscall.hpp"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
int main();

namespace atoll_os::user {
Utcb* main_utcb;
} // namespace atoll_os::user

extern "C" [[noreturn]] void atoll_start(atoll_os::Utcb* utcb)
{
    atoll_os::user::main_utcb = utcb;
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    atoll_os::user::thread_exit(main());
}
