// Capability table operations and reference counting of the objects named.
#include "kernel/cap/cap_space.hpp"

#include "kernel/object/endpoint.hpp"
#include "kernel/object/mapping.hpp"

namespace atoll_os {

Status CapSpace::fail(Status s, uint64_t slot)
{
    // Debug logging of which check failed; quiet by default so a fuzzer
    // cannot flood the log.
    if (kernel_debug_log()) klog("cap: slot %lu: %s", slot, status_message(s));
    return s;
}

void CapSpace::link_child(Capability* parent, Capability* child)
{
    child->parent = parent;
    child->prev_sibling = nullptr;
    child->next_sibling = parent->first_child;
    if (parent->first_child) parent->first_child->prev_sibling = child;
    parent->first_child = child;
}

// Takes `c` out of the tree; its children move up to its parent.
void CapSpace::unlink(Capability* c)
{
    while (Capability* child = c->first_child) {
        c->first_child = child->next_sibling;
        if (c->first_child) c->first_child->prev_sibling = nullptr;
        if (c->parent) {
            link_child(c->parent, child);
        } else {
            child->parent = nullptr;
            child->next_sibling = child->prev_sibling = nullptr;
        }
    }
    if (c->prev_sibling) c->prev_sibling->next_sibling = c->next_sibling;
    else if (c->parent) c->parent->first_child = c->next_sibling;
    if (c->next_sibling) c->next_sibling->prev_sibling = c->prev_sibling;
    c->parent = c->next_sibling = c->prev_sibling = nullptr;
}

void CapSpace::drop(Capability* c)
{
    KObject* obj = c->object;
    if (c->mappings) unmap_all(*c); // a mapping never outlives the capability it was made through
    unlink(c);
    *c = Capability{};
    release_object(obj);
}

Status CapSpace::install(uint64_t slot, KObject* object, uint32_t rights, uint64_t badge)
{
    if (slot >= kSlots) return fail(Status::kInvalidCapability, slot);
    if (slots_[slot].object) return fail(Status::kSlotOccupied, slot);
    slots_[slot] = Capability{object, rights, badge};
    object->add_ref();
    return Status::kOk;
}

Status CapSpace::copy(uint64_t from, uint64_t to, uint32_t rights_mask, uint64_t badge)
{
    if (from >= kSlots || !slots_[from].object) return fail(Status::kInvalidCapability, from);
    const Capability& src = slots_[from];
    Status s = install(to, src.object, src.rights & rights_mask, src.badge ? src.badge : badge);
    if (ok(s)) link_child(&slots_[from], &slots_[to]);
    return s;
}

Status CapSpace::derive_into(uint64_t from, CapSpace& target, uint64_t to, uint32_t rights_mask, uint64_t badge)
{
    if (from >= kSlots || !slots_[from].object) return fail(Status::kInvalidCapability, from);
    const Capability& src = slots_[from];
    Status s = target.install(to, src.object, src.rights & rights_mask, src.badge ? src.badge : badge);
    if (ok(s)) link_child(&slots_[from], &target.slots_[to]);
    return s;
}

Status CapSpace::move(uint64_t from, uint64_t to)
{
    if (from >= kSlots || !slots_[from].object) return fail(Status::kInvalidCapability, from);
    if (to >= kSlots) return fail(Status::kInvalidCapability, to);
    if (from == to) return Status::kOk;
    if (slots_[to].object) return fail(Status::kSlotOccupied, to);
    Capability& src = slots_[from];
    Capability& dst = slots_[to];
    dst = src;
    // Everything that points at the slot now points at its new place.
    if (dst.prev_sibling) dst.prev_sibling->next_sibling = &dst;
    else if (dst.parent) dst.parent->first_child = &dst;
    if (dst.next_sibling) dst.next_sibling->prev_sibling = &dst;
    for (Capability* child = dst.first_child; child; child = child->next_sibling) child->parent = &dst;
    move_mappings(src, dst);
    src = Capability{};
    return Status::kOk;
}

Status CapSpace::remove(uint64_t slot)
{
    if (slot >= kSlots || !slots_[slot].object) return fail(Status::kInvalidCapability, slot);
    drop(&slots_[slot]);
    return Status::kOk;
}

Status CapSpace::revoke(uint64_t slot)
{
    if (slot >= kSlots || !slots_[slot].object) return fail(Status::kInvalidCapability, slot);
    Capability* root = &slots_[slot];
    // Depth first without recursion: go down to a leaf, remove it, repeat.
    while (Capability* c = root->first_child) {
        while (c->first_child) c = c->first_child;
        drop(c);
    }
    return Status::kOk;
}

void CapSpace::clear()
{
    for (uint32_t i = 0; i < kSlots; ++i)
        if (slots_[i].object) (void)remove(i);
}

} // namespace atoll_os
