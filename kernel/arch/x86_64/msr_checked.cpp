// Checked MSR access through this core's exception probe (msr_checked.S).
#include "kernel/arch/x86_64/msr_checked.hpp"

#include "percpu/kcb.hpp"

extern "C" int msr_write_checked(uint32_t msr, uint64_t value);
extern "C" int msr_read_checked(uint32_t msr, uint64_t* value);
extern "C" char msr_access_failed[];

namespace atoll_os {
namespace {

template <class Access> bool under_probe(Access access)
{
    ExceptionProbe& probe = this_core().probe;
    probe.resume_ip = reinterpret_cast<uint64_t>(msr_access_failed);
    probe.vector = 13; // #GP
    const bool done = access() != 0;
    probe.vector = 0xff;
    return done;
}

} // namespace

bool read_msr_checked(uint32_t msr, uint64_t* value)
{
    return under_probe([&] { return msr_read_checked(msr, value); });
}

bool write_msr_checked(uint32_t msr, uint64_t value)
{
    return under_probe([&] { return msr_write_checked(msr, value); });
}

} // namespace atoll_os
