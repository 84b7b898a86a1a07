// The demo echo server (boot.cfg: `server = echo`).
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "services/demo/echo_protocol.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    const uint64_t serve = env_cap("serve");
    if (serve == kNoSlot) {
        print("echo_server: needs `server = echo` in the boot configuration");
        return 1;
    }
    print("serving echo on core %u", current_core());
    uint64_t served = 0;
    Message m{};
    uint64_t badge = 0, info = 0, flags = 0;
    Status s = ipc_syscall(sys::kReceive, serve, 0, m, &badge, &info);
    while (ok(s)) {
        if (badge == 0 && m.w[0] == kOpStop) break;
        flags = 0;
        if (m.w[0] == demo::kOpEcho && m.w[1] <= demo::kMaxEcho) {
            char text[demo::kMaxEcho];
            const uint64_t len = m.w[1];
            unpack_text(m, *main_utcb, 2, text, len);
            for (uint64_t i = 0; i < len; ++i)
                if (text[i] >= 'a' && text[i] <= 'z') text[i] = char(text[i] - 'a' + 'A');
            m = Message{{uint64_t(Status::kOk), len, ++served, 0}};
            flags = ipcflags::with_length(pack_text(m, *main_utcb, 4, text, len));
        } else {
            m = Message{{uint64_t(Status::kInvalidArgument), 0, 0, 0}};
        }
        s = ipc_syscall(sys::kReplyReceive, serve, flags, m, &badge, &info);
    }
    print("served %lu requests; stopping", served);
    return 0;
}
