// Task: an address space and a capability space. The user half of its page
// tables is its own; the kernel half is this core's, copied at creation (all
// kernel mappings live under PML4 slots that never change).
//
// Lifetime: when its last thread ends the task exits: its capabilities,
// memory and page tables go at once and a watcher is signalled. The Task
// object itself stays, dead, while capabilities still name it (so its
// creator can read the exit code) and while anything paid from its quota
// still exists elsewhere.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/object/kobject.hpp"

namespace atoll_os {

class CapSpace;
class Endpoint;
class Notification;
struct IoBitmap;
struct Mapping;
struct SpanSet;

class Task final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kTask;
    static constexpr size_t kNameMax = 24;

    // `payer` is charged for the Task itself; the task's own quota (for its
    // page tables and memory) is `quota_bytes`, carved from the payer too.
    static Task* create(Quota& payer, const char* name, uint64_t quota_bytes, Status& status);
    // The last thread ended: give back everything but the object itself.
    void exit(int64_t code);
    // Frees the object once it is dead, unnamed and owes nothing.
    void free_if_done();
    bool dead() const { return dead_; }

    // Fresh zeroed memory at [va, va+bytes), owned by this task (freed with it).
    [[nodiscard]] Status map_anonymous(uint64_t va, uint64_t bytes, MapFlags flags);
    // Unmaps and frees one page map_anonymous made.
    void unmap_anonymous_page(uint64_t va);
    // Maps someone else's frames (not freed with the task) at [va, va+bytes).
    [[nodiscard]] Status map_frames(uint64_t va, uint64_t phys, uint64_t bytes, MapFlags flags);
    // Removes what map_frames put at [va, va+bytes), flushing this core's TLB.
    void unmap_frames(uint64_t va, uint64_t bytes);
    // Physical frame behind a mapped user page, 0 if none.
    uint64_t frame_of(uint64_t va) const;
    // Copies kernel bytes into this task's memory (which must be mapped).
    [[nodiscard]] Status write_bytes(uint64_t va, const void* src, uint64_t len);

    uint64_t pml4_phys() const { return pml4_; }
    CapSpace& caps() { return *caps_; }
    const char* name() const { return name_; }
    Quota& quota() { return quota_; }
    uint32_t live_threads = 0;
    // Where its threads' faults go as messages (none: a fault kills the thread).
    // An Endpoint, or a RemoteRef to one another core owns (the pager of a
    // program the root task started on this core).
    KObject* fault_endpoint = nullptr;
    uint64_t fault_badge = 0;
    int64_t exit_code = 0;
    bool killed = false;          // its last thread died of a fault
    bool kernel_started = false;  // a first task: the kernel reports its exit
    Mapping* mappings = nullptr;  // frame and I/O port mappings made into this task
    IoBitmap* io_bitmap = nullptr; // ports its threads may use (task_io.hpp); nullptr: none
    // Its PCID on this core (kernel/sched/pcid.hpp), and whether a mapping
    // went away while another address space was loaded.
    uint16_t pcid = 0;
    uint32_t pcid_generation = 0;
    bool tlb_stale = false;
    // Signalled with exit_bits when the task exits.
    KObject* exit_watch = nullptr; // a Notification, or a RemoteRef to one

    uint64_t exit_bits = 0;

    // One address space on several cores (percpu/span.hpp). On the origin:
    // the cores it spans to, told of every change below kUtcbArea. On a
    // span: the origin (a RemoteRef) and the span's slot in this core's
    // table; its tables copy the origin's and only the origin changes them.
    SpanSet* spans = nullptr;
    KObject* span_origin = nullptr;
    uint32_t span_index = 0;
    bool is_span() const { return span_origin != nullptr; }
    // A span's copy of its origin's pages (never owned here); unmaps flush
    // this core's TLB before they return. kSpanAllPages: the whole range.
    void replica_map(uint64_t va, uint64_t leaf, uint32_t pages);
    void replica_unmap(uint64_t va, uint32_t pages);

    PageTables tables() const;

    Task(const char* name, uint64_t quota_bytes, Quota& payer);

private:
    void unmap_here(uint64_t va, uint64_t bytes); // this core's tables and TLB only
    bool is_loaded() const; // its tables are in this core's CR3
    static void quota_drained(void* task);
    uint64_t pml4_ = 0;
    CapSpace* caps_ = nullptr;
    Quota quota_;
    uint64_t quota_bytes_;
    Quota* payer_;
    bool dead_ = false;
    bool exiting_ = false;
    char name_[kNameMax];
};

} // namespace atoll_os
