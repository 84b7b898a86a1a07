// C++ start-up for user programs: global constructors, main, exit.
#include "runtime/lib/user/syscall.hpp"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
int main();

extern "C" [[noreturn]] void atoll_start()
{
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    atoll_os::user::thread_exit(main());
}
