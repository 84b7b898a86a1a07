// Exports: this core's objects that capabilities on other cores name. A
// remote capability carries a token (slot, generation), never a pointer:
// the owner resolves it here, and a token whose object is gone no longer
// matches (its slot's generation moved on). While any other core holds a
// copy, the export keeps one reference to the object, so it cannot vanish
// under a holder; each holder core says when its last copy is gone.
#pragma once

#include <stdint.h>

#include "kernel/object/kobject.hpp"
#include "percpu/messages.hpp"

namespace atoll_os {

class Exports {
public:
    static constexpr uint32_t kSlots = 1024;

    // Records that `holder` has a copy of `obj`, exporting it first if
    // needed; false when the table is full.
    [[nodiscard]] bool add_holder(KObject& obj, uint32_t holder, ExportToken& out);
    // The object a token names, or nullptr if it is gone.
    KObject* find(uint32_t index, uint16_t generation) const;
    // `holder` let go of the copies it took in (`installed` of them). If we
    // sent it more since (a copy on its way), it stays a holder; otherwise
    // the last holder's release drops the export's reference (which may
    // destroy the object).
    void release_holder(ExportToken token, uint32_t holder, uint32_t installed);
    uint32_t exported() const { return count_; }
    // Revoke: forgets every holder of `obj` at once (their tokens go stale)
    // and drops the export's reference; `holders` gets who held it.
    // False if it was not exported.
    bool revoke_all(KObject& obj, uint64_t (&holders)[4], ExportToken& old_token);
    // Called when the last export goes (no other core names our objects).
    void on_drained(void (*fn)()) { drained_ = fn; }

private:
    struct Entry {
        KObject* object;
        uint16_t generation;
        // Per core: copies sent, not yet released (heap, one per core). A
        // core holds a copy while its count is not zero.
        uint32_t* outstanding;
        uint32_t holder_count; // cores whose count is not zero
    };
    void drop(Entry& e);
    Entry entries_[kSlots];
    uint32_t count_ = 0;
    void (*drained_)() = nullptr;
};

Exports& exports(); // this core's

} // namespace atoll_os
