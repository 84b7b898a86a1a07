// C++ start-up for user programs: global constructors, main, exit.
#include "kernel/abi/utcb.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/syscall.hpp"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
int main();

namespace atoll_os::user {
Utcb* main_utcb;
} // namespace atoll_os::user

// rdi: the UTCB; rsi: where the environment page is, if there is one.
extern "C" [[noreturn]] void atoll_start(atoll_os::Utcb* utcb, uint64_t env_va)
{
    atoll_os::user::main_utcb = utcb;
    atoll_os::user::set_program_env(env_va);
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) (*ctor)();
    atoll_os::user::thread_exit(main());
}
