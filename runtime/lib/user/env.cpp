// Looking up the environment page the start-up code was given.
#include "runtime/lib/user/env.hpp"

#include "runtime/lib/user/slots.hpp"

namespace atoll_os::user {
namespace {

const ProgramEnv* g_env;

bool same(const char* a, const char* b)
{
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

const ProgramEnv::NamedCap* find(const char* name)
{
    if (!g_env) return nullptr;
    for (uint32_t i = 0; i < g_env->cap_count && i < ProgramEnv::kMaxCaps; ++i)
        if (same(g_env->caps[i].name, name)) return &g_env->caps[i];
    return nullptr;
}

} // namespace

void set_program_env(uint64_t env_va)
{
    // Only the agreed address counts: anything else in the register is not
    // a promise that a page is mapped there.
    if (env_va != kProgramEnvVa) return;
    auto* env = reinterpret_cast<const ProgramEnv*>(env_va);
    if (env->magic != ProgramEnv::kMagic) return;
    g_env = env;
    for (uint32_t i = 0; i < env->cap_count && i < ProgramEnv::kMaxCaps; ++i) reserve_slot(env->caps[i].slot);
}

const ProgramEnv* program_env() { return g_env; }

uint64_t env_cap(const char* name)
{
    const ProgramEnv::NamedCap* c = find(name);
    return c ? c->slot : kNoSlot;
}

uint64_t env_cap_bytes(const char* name)
{
    const ProgramEnv::NamedCap* c = find(name);
    return c ? c->bytes : 0;
}

} // namespace atoll_os::user
