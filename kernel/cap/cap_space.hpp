// CapSpace: a task's table of capabilities. A slot holds an object, the
// rights this holder has to it, and a badge the object's receivers see.
// Type and rights are checked in one place (lookup<T>), and every failure
// is a Status the caller gets back.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"
#include "kernel/log.hpp"
#include "kernel/object/kobject.hpp"

namespace atoll_os {

// A capability, and its place in this core's derivation tree: a copy or a
// transfer is a child of its source, so revoke can find every capability
// derived from one, in any task on this core.
struct Mapping;

struct Capability {
    KObject* object = nullptr;
    uint32_t rights = 0;
    uint64_t badge = 0;
    Capability* parent = nullptr;
    Capability* first_child = nullptr;
    Capability* next_sibling = nullptr;
    Capability* prev_sibling = nullptr;
    Mapping* mappings = nullptr; // frames mapped through this capability
};

class CapSpace {
public:
    static constexpr uint32_t kSlots = 256;

    // Typed, rights-checked lookup; the one place capabilities are checked.
    template <class T>
    [[nodiscard]] Status lookup(uint64_t slot, uint32_t needed, T*& out, uint64_t* badge = nullptr,
                                uint32_t* rights_held = nullptr)
    {
        if (slot >= kSlots || !slots_[slot].object) return fail(Status::kInvalidCapability, slot);
        Capability& c = slots_[slot];
        if (c.object->type() != T::kType) return fail(Status::kWrongType, slot);
        if ((c.rights & needed) != needed) return fail(Status::kNoRights, slot);
        out = static_cast<T*>(c.object);
        if (badge) *badge = c.badge;
        if (rights_held) *rights_held = c.rights;
        return Status::kOk;
    }

    // Installs a new reference to `object` in an empty slot.
    [[nodiscard]] Status install(uint64_t slot, KObject* object, uint32_t rights, uint64_t badge);
    // Copies with rights reduced to `rights_mask` and, if the source has no
    // badge yet, the given badge (a badge once set cannot be changed).
    [[nodiscard]] Status copy(uint64_t from, uint64_t to, uint32_t rights_mask, uint64_t badge);
    // The same into another task's space (IPC transfer, or a task setting
    // up one it created): a child of `from`, badged like copy().
    [[nodiscard]] Status derive_into(uint64_t from, CapSpace& target, uint64_t to, uint32_t rights_mask,
                                     uint64_t badge = 0);
    // The slot itself, for operations that hang state on it (mappings).
    Capability& at(uint64_t slot) { return slots_[slot]; }
    // Moves a capability to an empty slot: same object, rights, badge,
    // place in the derivation tree and mappings; `from` is empty after.
    [[nodiscard]] Status move(uint64_t from, uint64_t to);
    // Removes one capability; whatever was derived from it stays, now
    // derived from its parent.
    [[nodiscard]] Status remove(uint64_t slot);
    // Removes every capability derived from this one, in every task on
    // this core, recursively; the capability itself stays.
    [[nodiscard]] Status revoke(uint64_t slot);
    // Drops every capability (task teardown).
    void clear();

private:
    Status fail(Status s, uint64_t slot);
    static void link_child(Capability* parent, Capability* child);
    static void unlink(Capability* c);
    static void drop(Capability* c);
    Capability slots_[kSlots];
};

} // namespace atoll_os
