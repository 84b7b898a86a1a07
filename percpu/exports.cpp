// The export table: slot reuse by generation, holder sets.
#include "percpu/exports.hpp"

#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"

namespace atoll_os {
namespace {
Exports g_exports; // per core, like every kernel global
} // namespace

Exports& exports() { return g_exports; }

bool Exports::add_holder(KObject& obj, uint32_t holder, ExportToken& out)
{
    const uint32_t cores = boot_info().topology.core_count;
    if (holder >= 256 || holder >= cores) return false;
    uint32_t slot = obj.export_slot;
    if (slot == 0) {
        uint32_t i = 0;
        while (i < kSlots && entries_[i].object) ++i;
        if (i == kSlots) return false;
        Entry& e = entries_[i];
        e.outstanding = static_cast<uint32_t*>(this_core().heap.alloc(cores * sizeof(uint32_t)));
        if (!e.outstanding) return false;
        for (uint32_t c = 0; c < cores; ++c) e.outstanding[c] = 0;
        e.object = &obj;
        e.holder_count = 0;
        obj.export_slot = slot = i + 1;
        obj.add_ref(); // the holders' reference, as one
        ++count_;
    }
    Entry& e = entries_[slot - 1];
    if (e.outstanding[holder]++ == 0) ++e.holder_count; // one more copy on its way to `holder`
    out = ExportToken{slot - 1, e.generation, uint16_t(obj.type())};
    return true;
}

KObject* Exports::find(uint32_t index, uint16_t generation) const
{
    if (index >= kSlots || entries_[index].generation != generation) return nullptr;
    return entries_[index].object;
}

bool Exports::revoke_all(KObject& obj, uint64_t (&holders)[4], ExportToken& old_token)
{
    if (obj.export_slot == 0) return false;
    Entry& e = entries_[obj.export_slot - 1];
    old_token = ExportToken{obj.export_slot - 1, e.generation, uint16_t(obj.type())};
    for (uint64_t& w : holders) w = 0;
    for (uint32_t c = 0; c < boot_info().topology.core_count; ++c)
        if (e.outstanding[c]) holders[c / 64] |= uint64_t(1) << (c % 64);
    obj.add_ref(); // drop() lets go of the holders' reference; the caller still holds one
    drop(e);
    release_object(&obj);
    return true;
}

void Exports::drop(Entry& e)
{
    KObject* obj = e.object;
    this_core().heap.free(e.outstanding);
    e.outstanding = nullptr;
    e.object = nullptr;
    ++e.generation; // tokens for this slot are stale from now on
    obj->export_slot = 0;
    --count_;
    release_object(obj);
    if (count_ == 0 && drained_) drained_();
}

void Exports::release_holder(ExportToken token, uint32_t holder, uint32_t installed)
{
    if (token.index >= kSlots || holder >= boot_info().topology.core_count) return;
    Entry& e = entries_[token.index];
    if (!e.object || e.generation != token.generation) return;
    uint32_t& left = e.outstanding[holder];
    if (left == 0) return; // not a holder (nothing was sent there)
    left = installed < left ? left - installed : 0;
    if (left != 0) return; // a copy we sent is still on its way there: it stays a holder
    if (--e.holder_count == 0) drop(e);
}

} // namespace atoll_os
