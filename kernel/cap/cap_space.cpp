// Capability table operations and reference counting of the objects named.
#include "kernel/cap/cap_space.hpp"

#include "kernel/object/endpoint.hpp"

namespace atoll_os {

Status CapSpace::fail(Status s, uint64_t slot)
{
    // Debug logging of which check failed; quiet by default so a fuzzer
    // cannot flood the log.
    if (kernel_debug_log()) klog("cap: slot %lu: %s", slot, status_message(s));
    return s;
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
    return install(to, src.object, src.rights & rights_mask, src.badge ? src.badge : badge);
}

Status CapSpace::remove(uint64_t slot)
{
    if (slot >= kSlots || !slots_[slot].object) return fail(Status::kInvalidCapability, slot);
    KObject* obj = slots_[slot].object;
    slots_[slot] = Capability{};
    release_object(obj);
    return Status::kOk;
}

void CapSpace::clear()
{
    for (uint32_t i = 0; i < kSlots; ++i)
        if (slots_[i].object) (void)remove(i);
}

} // namespace atoll_os
