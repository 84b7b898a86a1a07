// The console service: the one program that writes to the serial console
// (through its log port). Every program the root task starts writes here
// over a capability badged with its id; the first time a badge writes we
// ask the root task whose it is, so each line goes out as
// "[name@core] text", whole, never interleaved with another program's.
#include "kernel/abi/syscalls.hpp"
#include "kernel/lib/format.hpp"
#include "runtime/lib/user/console_client.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/message_text.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/root_client.hpp"
#include "runtime/lib/user/service.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/tasks.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr unsigned kMaxClients = 64;

struct Client {
    char name[root_ops::kMaxName + 1];
    uint32_t core;
    bool known;
};
Client g_clients[kMaxClients + 1]; // by badge; badge 0 is the root task
uint64_t g_log, g_root;
uint64_t g_lines;

void emit(uint64_t badge, const char* text, size_t len)
{
    char line[sys::kMaxDebugWrite + 1];
    size_t n;
    if (badge && badge <= kMaxClients && !g_clients[badge].known && g_root != kNoSlot) {
        Client& c = g_clients[badge];
        c.known = ok(RootClient(g_root).who_is(badge, c.name, sizeof c.name, c.core));
    }
    if (badge <= kMaxClients && g_clients[badge].known)
        n = format(line, sizeof line, "[%s@%u] %.*s", g_clients[badge].name, g_clients[badge].core, int(len), text);
    else
        n = format(line, sizeof line, "[badge %lu] %.*s", badge, int(len), text);
    (void)log_write(g_log, line, n < sys::kMaxDebugWrite ? n : sys::kMaxDebugWrite);
    ++g_lines;
}

Status write(uint64_t badge, const Message& m)
{
    const uint64_t len = m.w[1];
    if (len > console::kMaxWrite) return Status::kInvalidArgument;
    char text[console::kMaxWrite];
    unpack_text(m, *main_utcb, 2, text, len);
    size_t start = 0;
    for (size_t i = 0; i <= len; ++i) {
        if (i < len && text[i] != '\n') continue;
        if (i > start || i == len) emit(badge, text + start, i - start);
        start = i + 1;
    }
    return Status::kOk;
}

} // namespace

int main()
{
    const uint64_t serve = env_cap("serve");
    g_log = env_cap("log");
    g_root = env_cap("root");
    if (serve == kNoSlot || g_log == kNoSlot) {
        print("console: needs `server = console` and `caps = log` in the boot configuration");
        return 1;
    }
    Message m{};
    uint64_t badge = 0, info = 0;
    Status s = ipc_syscall(sys::kReceive, serve, 0, m, &badge, &info);
    while (ok(s)) {
        Status r = Status::kInvalidArgument;
        if (m.w[0] == console::kOpWrite) r = write(badge, m);
        else if (badge == 0 && m.w[0] == kOpStop) break;
        m = Message{{uint64_t(r), 0, 0, 0}};
        s = ipc_syscall(sys::kReplyReceive, serve, 0, m, &badge, &info);
    }
    char line[96];
    size_t n = format(line, sizeof line, "console: stopping after %lu lines", g_lines);
    (void)log_write(g_log, line, n);
    return ok(s) ? 0 : 1;
}
