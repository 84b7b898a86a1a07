// The demo client (boot.cfg: `caps = endpoint:echo`): sends a few lines to
// the echo server and prints what comes back.
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/print.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "services/demo/echo_protocol.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    const uint64_t echo = env_cap("echo");
    if (echo == kNoSlot) {
        print("echo_client: needs `caps = endpoint:echo` in the boot configuration");
        return 1;
    }
    const ProgramEnv* env = program_env();
    print("hello from %s on core %u; args \"%s\"", env->name, current_core(), env->args);
    // --lines N (1-3): how many of these to send.
    static const char* const lines[] = {"hello, atoll", "servers and clients over ipc", "goodbye"};
    unsigned count = 3;
    for (const char* a = env->args; *a; ++a)
        if (__builtin_strncmp(a, "--lines ", 8) == 0 && a[8] >= '1' && a[8] <= '3') count = unsigned(a[8] - '0');
    demo::EchoClient client(echo);
    for (unsigned i = 0; i < count; ++i) {
        const char* line = lines[i];
        char out[demo::kMaxEcho];
        uint64_t served = 0;
        size_t len = __builtin_strlen(line);
        Status s = client.echo(line, len, out, served);
        if (!ok(s)) {
            print("echo failed: %s", status_message(s));
            return 1;
        }
        print("echo #%lu: %.*s", served, int(len), out);
    }
    return 0;
}
