// Checked, fault-tolerant copies from user memory.
#include "kernel/syscall/user_access.hpp"

#include "kernel/abi/syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"

extern "C" uint64_t user_copy_smap(void* dst, const void* src, size_t len);
extern "C" uint64_t user_copy_plain(void* dst, const void* src, size_t len);
extern "C" char user_copy_insn_smap[], user_copy_insn_plain[], user_copy_fault[], user_copy_fault_plain[];

namespace atoll_os {
namespace {
bool g_smap; // per core
} // namespace

void user_access_init_core(bool smap_enabled) { g_smap = smap_enabled; }

Status copy_from_user(void* dst, uint64_t user_src, size_t len)
{
    if (len == 0) return Status::kOk;
    if (user_src >= sys::kUserLimit || len > sys::kUserLimit - user_src) return Status::kBadAddress;
    auto* src = reinterpret_cast<const void*>(user_src);
    uint64_t failed = g_smap ? user_copy_smap(dst, src, len) : user_copy_plain(dst, src, len);
    return failed ? Status::kBadAddress : Status::kOk;
}

bool fixup_user_copy_fault(InterruptFrame& frame)
{
    if (frame.rip == reinterpret_cast<uint64_t>(user_copy_insn_smap)) {
        frame.rip = reinterpret_cast<uint64_t>(user_copy_fault);
        return true;
    }
    if (frame.rip == reinterpret_cast<uint64_t>(user_copy_insn_plain)) {
        frame.rip = reinterpret_cast<uint64_t>(user_copy_fault_plain);
        return true;
    }
    return false;
}

} // namespace atoll_os
