// The demo echo service: a client sends text, the server answers with the
// same text in capitals and a count of the requests it has served. It shows
// the shape of every Atoll service: an operation word, text in message
// words, a typed client stub.
#pragma once

#include <stddef.h>

#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/message_text.hpp"
#include "runtime/lib/user/service.hpp"

namespace atoll_os::demo {

inline constexpr uint64_t kOpEcho = 1;  // w1 = length, text from w2 -> w1 = length, w2 = served, text from w4
inline constexpr size_t kMaxEcho = user::text_capacity(4);

class EchoClient {
public:
    explicit EchoClient(uint64_t slot) : slot_(slot) {}

    // Fills out[0, len) (len <= kMaxEcho) and reports how many requests the
    // server had served, this one included.
    Status echo(const char* text, size_t len, char* out, uint64_t& served)
    {
        if (len > kMaxEcho) return Status::kInvalidArgument;
        user::Message m{{kOpEcho, len, 0, 0}};
        uint64_t words = user::pack_text(m, *user::main_utcb, 2, text, len);
        Status s = user::ipc_syscall(sys::kCall, slot_, ipcflags::with_length(words), m);
        if (!ok(s)) return s;
        if (m.w[0] != uint64_t(Status::kOk) || m.w[1] != len) return Status::kInvalidArgument;
        served = m.w[2];
        user::unpack_text(m, *user::main_utcb, 4, out, len);
        return Status::kOk;
    }

private:
    uint64_t slot_;
};

} // namespace atoll_os::demo
