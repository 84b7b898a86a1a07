// Dies on purpose with a write to an unmapped page: the kernel must kill
// only this task's thread and log who died where.
#include "runtime/lib/user/print.hpp"

int main()
{
    atoll_os::user::print("crasher: about to write to address 0x10");
    *reinterpret_cast<volatile int*>(0x10) = 1;
    atoll_os::user::print("crasher: still alive (this is a bug)");
    return 0;
}
