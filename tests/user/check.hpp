// One "USER PASS|FAIL program/check" line per check; main returns failures.
#pragma once

#include "runtime/lib/user/print.hpp"

namespace atoll_os::user {

inline int g_check_failures;

inline void check(bool ok, const char* program, const char* what)
{
    print("USER %s %s/%s", ok ? "PASS" : "FAIL", program, what);
    if (!ok) ++g_check_failures;
}

} // namespace atoll_os::user
