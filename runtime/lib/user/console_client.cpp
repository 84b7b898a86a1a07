// Console client: text travels in the message words (message_text.hpp).
#include "runtime/lib/user/console_client.hpp"

#include "runtime/lib/user/message_text.hpp"

namespace atoll_os::user {

Status ConsoleClient::write(const char* text, size_t len)
{
    while (len) {
        size_t chunk = len < console::kMaxWrite ? len : console::kMaxWrite;
        Message m{{console::kOpWrite, chunk, 0, 0}};
        uint64_t words = pack_text(m, *main_utcb, 2, text, chunk);
        Status s = ipc_syscall(sys::kCall, slot_, ipcflags::with_length(words), m);
        if (!ok(s)) return s;
        if (!ok(Status(m.w[0]))) return Status(m.w[0]);
        text += chunk, len -= chunk;
    }
    return Status::kOk;
}

} // namespace atoll_os::user
