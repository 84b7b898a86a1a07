// Messages for the ABI status codes, one table.
#include "kernel/abi/status.hpp"

#include <stddef.h>

namespace atoll_os {

const char* status_message(Status s)
{
    static const char* const messages[] = {
        "ok",
        "no such system call",
        "invalid capability slot (out of range or empty)",
        "capability refers to a different kind of object",
        "capability lacks the rights for this operation",
        "invalid argument",
        "bad user address or length",
        "out of memory on this core",
        "kernel memory quota exceeded",
        "operation would block",
        "timed out",
        "destination capability slot is occupied",
        "partner is dead",
        "virtual address range is already in use",
        "device resource is in use by the kernel or another object",
        "not possible on this core",
    };
    static_assert(sizeof messages / sizeof messages[0] == size_t(Status::kCount));
    auto i = size_t(s);
    return i < size_t(Status::kCount) ? messages[i] : "unknown status";
}

} // namespace atoll_os
