// Started by the root task with a small allowance, this program misbehaves
// as its arguments say; the root task must kill it (and only it):
//   --heap   touch more heap than its allowance
//   --text   write to its own (read-only) code
//   --wild   touch memory it was never given
//   --assert fail an assertion (the runtime reports it and ends with 134)
#include "runtime/lib/user/assert.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/print.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

bool has(const char* args, const char* word)
{
    for (const char* p = args; *p; ++p) {
        const char* a = p;
        const char* w = word;
        while (*w && *a == *w) ++a, ++w;
        if (!*w) return true;
    }
    return false;
}

} // namespace

int main()
{
    const ProgramEnv* env = program_env();
    if (!env) return 1;
    if (has(env->args, "--heap")) {
        auto* p = reinterpret_cast<volatile uint8_t*>(env->heap_base);
        print("touching %lu KiB of heap with an allowance of %lu KiB", (env->heap_bytes * 2) >> 10,
              env->heap_bytes >> 10);
        for (uint64_t off = 0; off < env->heap_bytes * 2; off += 4096) p[off] = 1;
    } else if (has(env->args, "--text")) {
        print("writing to my own code");
        *reinterpret_cast<volatile uint8_t*>(reinterpret_cast<uint64_t>(&main)) = 0xcc;
    } else if (has(env->args, "--assert")) {
        volatile int two = 2;
        ATOLL_ASSERT(two + two == 5);
    } else if (has(env->args, "--wild")) {
        print("touching memory nobody gave me");
        (void)*reinterpret_cast<volatile uint64_t*>(0x0000500000000000ull);
    }
    print("still alive: the root task should have killed me");
    return 0;
}
