// Frames, mappings, and tasks that create other tasks, from a program the
// kernel started (no root task, so its quota is the kernel's 16 MiB).
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "runtime/lib/user/tasks.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

void c(bool ok, const char* what) { check(ok, "frames", what); }

bool readable(uint64_t va) { return debug_write(reinterpret_cast<const char*>(va), 1) == Status::kOk; }

constexpr uint64_t kFrame = 20, kCopy = 21, kChild = 30, kExits = 31, kEndpoint = 32, kBig = 40;
constexpr uint64_t kVa = 0x0000300000000000ull;

} // namespace

int main()
{
    uint64_t bytes = 0;
    c(ok(frame_create(sys::kSlotSelf, kFrame, 12 * 1024)) && ok(frame_info(kFrame, bytes)) && bytes == 16 * 1024,
      "frame_rounded_to_power_of_two_pages");
    c(ok(map(sys::kSlotSelf, kFrame, kVa, kMapWrite)), "map");
    auto* words = reinterpret_cast<volatile uint64_t*>(kVa);
    c(words[0] == 0 && words[2047] == 0, "frame_starts_zeroed");
    words[2047] = 7;
    c(frame_create(sys::kSlotSelf, kBig, 8ull << 20) == Status::kInvalidArgument, "frame_over_4_MiB_refused");
    c(map(sys::kSlotSelf, kFrame, sys::kUserLimit - 4096, kMapWrite) == Status::kBadAddress,
      "map_past_user_space_refused");
    c(map(sys::kSlotSelf, kEndpoint, kVa + (1ull << 20), 0) == Status::kInvalidCapability, "map_empty_slot_refused");
    c(ok(endpoint_create(sys::kSlotSelf, kEndpoint)) &&
          map(sys::kSlotSelf, kEndpoint, kVa + (1ull << 20), 0) == Status::kWrongType,
      "map_non_frame_refused");

    // Deleting a copy unmaps what was mapped through it, nothing else.
    c(ok(cap_copy(kFrame, kCopy, rights::kAll)) && ok(map(sys::kSlotSelf, kCopy, kVa + (1ull << 20), 0)) &&
          reinterpret_cast<volatile uint64_t*>(kVa + (1ull << 20))[2047] == 7,
      "copy_maps_same_memory");
    c(ok(cap_delete(kCopy)) && !readable(kVa + (1ull << 20)) && readable(kVa), "delete_unmaps_only_its_mappings");

    // Quota: frames are paid in full; running out is a status, and
    // deleting gives it back.
    uint64_t made = 0;
    Status s = Status::kOk;
    while (made < 8 && ok(s = frame_create(sys::kSlotSelf, kBig + made, 4ull << 20))) ++made;
    c(s == Status::kQuotaExceeded && made >= 2, "frames_exhaust_quota_with_a_status");
    for (uint64_t i = 0; i < made; ++i) (void)cap_delete(kBig + i);
    c(ok(frame_create(sys::kSlotSelf, kBig, 4ull << 20)) && ok(cap_delete(kBig)), "deleting_frames_returns_quota");

    // A task we create: empty, watched, given a capability, then dropped.
    c(task_create(sys::kSlotSelf, kChild, 0, "child", 5) == Status::kInvalidArgument, "task_without_quota_refused");
    c(task_create(sys::kSlotSelf, kChild, 1 << 20, "bad name", 8) == Status::kInvalidArgument,
      "task_name_with_space_refused");
    c(ok(task_create(sys::kSlotSelf, kChild, 1 << 20, "child", 5)), "task_create");
    TaskInfo info{};
    c(ok(task_info(kChild, info)) && info.state == sys::kTaskRunning && info.live_threads == 0, "task_info_fresh");
    c(ok(notification_create(sys::kSlotSelf, kExits)) && ok(task_watch(kChild, kExits, 4)), "task_watch");
    c(ok(cap_give(kEndpoint, kChild, 5, rights::kSend)) && cap_give(kEndpoint, kChild, 5, rights::kSend) ==
                                                                  Status::kSlotOccupied,
      "cap_give_into_task");
    c(ok(map(kChild, kFrame, kVa, 0)), "map_into_other_task");
    uint64_t bits = 0;
    c(ok(poll(kExits, bits)) && bits == 0, "no_exit_yet");
    c(ok(cap_delete(kChild)) && ok(poll(kExits, bits)) && bits == 4, "dropping_unstarted_task_ends_it");
    c(ok(unmap(kFrame)) && !readable(kVa), "unmap");

    // Moving a capability takes its mappings and its place in the tree along.
    constexpr uint64_t kMoved = 50, kChildCap = 51, kChildMoved = 52;
    c(ok(map(sys::kSlotSelf, kFrame, kVa, 0)) && cap_move(kFrame, kEndpoint) == Status::kSlotOccupied,
      "move_to_occupied_slot_refused");
    c(ok(cap_move(kFrame, kMoved)) && cap_delete(kFrame) == Status::kInvalidCapability && readable(kVa),
      "move_keeps_mappings");
    c(ok(unmap(kMoved)) && !readable(kVa), "moved_capability_unmaps_its_mappings");
    c(ok(cap_copy(kMoved, kChildCap, rights::kRead)) && ok(cap_move(kChildCap, kChildMoved)) &&
          ok(cap_revoke(kMoved)) && cap_delete(kChildMoved) == Status::kInvalidCapability,
      "moved_copy_stays_in_the_derivation_tree");
    c(ok(cap_move(kMoved, kFrame)), "move_back");
    c(ok(cap_delete(kFrame)) && ok(cap_delete(kEndpoint)) && ok(cap_delete(kExits)), "cleanup");
    return g_check_failures;
}
