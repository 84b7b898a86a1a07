// Started by the root task (tests/root/checks.cfg): what a program gets from
// it. Its environment, a heap paged in where touched, frames from the
// memory service, and mappings that die with the capability they came
// through (revoke and unmap).
#include "kernel/abi/program_env.hpp"
#include "tests/user/check.hpp"
#include "runtime/lib/user/env.hpp"
#include "runtime/lib/user/malloc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/root_client.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

void c(bool ok, const char* what) { check(ok, "root_checks", what); }

bool same(const char* a, const char* b)
{
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

// Whether the kernel can read our byte at `va`: a probe that cannot fault us.
bool readable(uint64_t va) { return debug_write(reinterpret_cast<const char*>(va), 1) == Status::kOk; }

constexpr uint64_t kWindow = 0x0000300000000000ull, kReadOnlyWindow = 0x0000300000100000ull;

alignas(16) char g_worker_stack[8192];
volatile uint64_t g_worker_sum;

void worker(Utcb*)
{
    // Heap memory touched first by another thread is paged in the same way.
    auto* p = static_cast<uint64_t*>(malloc(64 * 1024));
    uint64_t sum = 0;
    for (int i = 0; p && i < 8192; ++i) p[i] = uint64_t(i), sum += p[i];
    g_worker_sum = sum;
    thread_exit(0);
}

} // namespace

int main()
{
    const ProgramEnv* env = program_env();
    c(env && same(env->name, "root_checks"), "environment_names_us");
    c(env && same(env->args, "--first --second"), "environment_has_args");
    c(env && env->core == current_core() && env->core < env->core_count, "environment_has_core"); // where it runs
    c(env_cap("console") != kNoSlot && env_cap("memory") != kNoSlot && env_cap("log") == kNoSlot,
      "only_the_capabilities_asked_for");

    // The heap: 512 KiB appears page by page as it is written.
    auto* big = static_cast<uint8_t*>(malloc(512 * 1024));
    bool heap_ok = big != nullptr;
    for (uint64_t i = 0; heap_ok && i < 512 * 1024; i += 4096) big[i] = uint8_t(i >> 12);
    for (uint64_t i = 0; heap_ok && i < 512 * 1024; i += 4096) heap_ok = big[i] == uint8_t(i >> 12);
    c(heap_ok, "heap_paged_in_by_the_root_task");

    // Its faults may go to a pager on another core: wait for it (2 s at most).
    bool started = ok(thread_create(sys::kSlotSelf, worker, g_worker_stack + sizeof g_worker_stack, 100));
    for (int i = 0; started && g_worker_sum == 0 && i < 2000; ++i) (void)sleep_micros(1000);
    c(started && g_worker_sum == 8191ull * 8192 / 2, "second_thread_heap_paged_in");

    // A frame from the memory service, mapped into ourselves.
    RootClient memory(env_cap("memory"));
    const uint64_t frame = alloc_slot(), reader = alloc_slot(), grandchild = alloc_slot();
    uint64_t bytes = 0;
    c(ok(memory.frame(64 * 1024, frame)) && ok(frame_info(frame, bytes)) && bytes == 64 * 1024,
      "memory_service_gives_frame");
    c(ok(map(sys::kSlotSelf, frame, kWindow, kMapWrite)), "frame_mapped_writable");
    auto* shared = reinterpret_cast<volatile uint64_t*>(kWindow);
    shared[0] = 0x41;
    shared[8191] = 0x5eed;
    c(map(sys::kSlotSelf, frame, kWindow, kMapWrite) == Status::kAddressInUse, "overlapping_map_refused");
    c(map(sys::kSlotSelf, frame, kWindow + (1ull << 30), kMapWrite | kMapExecute) == Status::kInvalidArgument,
      "writable_and_executable_refused");
    c(map(sys::kSlotSelf, frame, kWindow + (1ull << 30), kMapWrite, 16, 1) == Status::kInvalidArgument,
      "page_beyond_frame_refused");

    // A read-only copy maps read-only, and sees the same memory.
    c(ok(cap_copy(frame, reader, rights::kRead | rights::kGrant)) &&
          map(sys::kSlotSelf, reader, kReadOnlyWindow, kMapWrite) == Status::kNoRights,
      "read_only_copy_cannot_map_writable");
    c(ok(map(sys::kSlotSelf, reader, kReadOnlyWindow, 0)) &&
          reinterpret_cast<volatile uint64_t*>(kReadOnlyWindow)[8191] == 0x5eed,
      "read_only_copy_shares_memory");
    c(ok(cap_copy(reader, grandchild, rights::kRead)) && ok(map(sys::kSlotSelf, grandchild, kReadOnlyWindow + (1ull << 20), 0, 0, 1)),
      "copy_of_copy_maps");

    // Revoke: every capability derived from `frame` goes, and so do the
    // mappings made through them; the frame's own mapping stays.
    c(readable(kReadOnlyWindow) && readable(kReadOnlyWindow + (1ull << 20)), "derived_mappings_present");
    c(ok(cap_revoke(frame)), "revoke");
    c(!readable(kReadOnlyWindow) && !readable(kReadOnlyWindow + (1ull << 20)), "revoke_unmapped_derived_mappings");
    c(cap_delete(reader) == Status::kInvalidCapability, "revoke_removed_derived_capabilities");
    c(readable(kWindow) && shared[0] == 0x41, "own_mapping_survives_revoke");
    c(ok(unmap(frame)) && !readable(kWindow), "unmap_removes_own_mapping");

    // The allowance holds for frames too (checks.cfg gives us 4 MiB).
    const uint64_t huge = alloc_slot();
    c(memory.frame(4ull << 20, huge) == Status::kQuotaExceeded, "frame_beyond_allowance_refused");
    c(ok(cap_delete(frame)), "frame_deleted");
    return g_check_failures;
}
