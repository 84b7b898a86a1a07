// Mapping: part of a Frame mapped into a task's address space through one
// capability. A mapping lives no longer than either end: deleting or
// revoking the capability unmaps it (and so do revokes of its ancestors,
// since they delete it), and a task that exits forgets the mappings made
// into it. Each record is paid from the quota of the task mapped into.
//
// An IoPort's range enabled for a task is the same kind of record in the
// task's I/O space: va is kIoSpace | first port, bytes the number of ports.
// Sharing the records gives port access the same lifetime rules for free.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"
#include "kernel/arch/x86_64/page_table.hpp"

namespace atoll_os {

struct Capability;
class KObject;
class Frame;
class IoPort;
class Task;

struct Mapping {
    Capability* cap;
    Task* task;
    uint64_t va;
    uint64_t bytes;
    Mapping* cap_next;
    Mapping* cap_prev;
    Mapping* task_next;
    Mapping* task_prev;
    // A frame another core owns, mapped through a RemoteRef: this core's
    // list of those, so a revoke from the owner can unmap them all.
    KObject* remote = nullptr;
    Mapping* remote_next = nullptr;
    Mapping* remote_prev = nullptr;
    // A mapping another core's kernel asked for (its task set this one's
    // up; percpu/remote_invoke.hpp) has no capability here to live on: it
    // keeps a reference to the frame (or its RemoteRef) instead, and lasts
    // until the task exits (or the frame's owner revokes it).
    KObject* held = nullptr;
};

inline constexpr uint64_t kIoSpace = 1ull << 63; // above every user address
inline bool is_io_mapping(const Mapping& m) { return (m.va & kIoSpace) != 0; }
inline uint32_t io_mapping_first_port(const Mapping& m) { return uint32_t(m.va & 0xffff); }

// Maps `pages` pages of `frame` from `first_page` on at `va` in `task`,
// recorded on `cap` (the capability naming `frame`).
[[nodiscard]] Status map_frame(Capability& cap, Frame& frame, Task& task, uint64_t va, uint64_t first_page,
                               uint64_t pages, MapFlags flags);
// The same for another core's kernel, which asked for it (remote
// invocation): recorded on no capability, the mapping holds `frame`.
[[nodiscard]] Status map_frame_held(Frame& frame, Task& task, uint64_t va, uint64_t first_page, uint64_t pages,
                                    MapFlags flags);
// The capability moved to another slot: its mappings go with it.
void move_mappings(Capability& from, Capability& to);
// Lets `task` use the ports of `ports` (named by `cap`, one of the task's
// own capabilities) from user mode. Enabling twice through one capability
// is one mapping.
[[nodiscard]] Status map_io_ports(Capability& cap, IoPort& ports, Task& task);
// The same for a frame another core owns, named here by `remote` (its
// RemoteRef) with the physical range the owner reported. A null `cap`:
// recorded on no capability (the mapping holds `remote` itself).
[[nodiscard]] Status map_remote_frame(Capability* cap, KObject& remote, uint64_t phys, uint64_t frame_bytes,
                                      Task& task, uint64_t va, uint64_t first_page, uint64_t pages, MapFlags flags);
// The owner revoked `remote`: unmaps everything mapped through any
// capability naming it on this core.
void unmap_remote(KObject& remote);
// Unmaps everything mapped through `cap` (on delete, revoke, or request).
void unmap_all(Capability& cap);
// The task's address space is going away: drop its records without unmapping.
void forget_mappings(Task& task);

} // namespace atoll_os
