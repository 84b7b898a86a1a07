// Task: an address space and (soon) a capability space. The user half of
// its page tables is its own; the kernel half is this core's, copied at
// creation (all kernel mappings live under PML4 slots that never change).
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/page_table.hpp"
#include "kernel/object/kobject.hpp"

namespace atoll_os {

class CapSpace;
class Endpoint;

class Task final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kTask;
    static constexpr size_t kNameMax = 24;

    // `payer` is charged for the Task itself; the task's own quota (for its
    // page tables and memory) is `quota_bytes`, carved from the payer too.
    static Task* create(Quota& payer, const char* name, uint64_t quota_bytes, Status& status);
    void destroy(Quota& payer);

    // Fresh zeroed memory at [va, va+bytes), owned by this task (freed with it).
    [[nodiscard]] Status map_anonymous(uint64_t va, uint64_t bytes, MapFlags flags);
    // Unmaps and frees one page map_anonymous made.
    void unmap_anonymous_page(uint64_t va);
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
    Endpoint* fault_endpoint = nullptr;
    uint64_t fault_badge = 0;
    int64_t exit_code = 0;

    Task(const char* name, uint64_t quota_bytes);

private:
    PageTables tables() const;
    uint64_t pml4_ = 0;
    CapSpace* caps_ = nullptr;
    Quota quota_;
    uint64_t quota_bytes_;
    char name_[kNameMax];
};

// Tasks whose quota did not return to zero at teardown (self-check).
uint32_t task_quota_leaks();

} // namespace atoll_os
