// printf to the kernel log, one line per call.
#pragma once

namespace atoll_os::user {

[[gnu::format(printf, 1, 2)]] void print(const char* fmt, ...);

} // namespace atoll_os::user
