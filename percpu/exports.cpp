// The export table: slot reuse by generation, holder sets.
#include "percpu/exports.hpp"

namespace atoll_os {
namespace {
Exports g_exports; // per core, like every kernel global
} // namespace

Exports& exports() { return g_exports; }

bool Exports::add_holder(KObject& obj, uint32_t holder, ExportToken& out)
{
    if (holder >= 256) return false;
    uint32_t slot = obj.export_slot;
    if (slot == 0) {
        uint32_t i = 0;
        while (i < kSlots && entries_[i].object) ++i;
        if (i == kSlots) return false;
        Entry& e = entries_[i];
        e.object = &obj;
        for (uint64_t& w : e.holders) w = 0;
        obj.export_slot = slot = i + 1;
        obj.add_ref(); // the holders' reference, as one
        ++count_;
    }
    Entry& e = entries_[slot - 1];
    e.holders[holder / 64] |= uint64_t(1) << (holder % 64);
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
    for (int i = 0; i < 4; ++i) holders[i] = e.holders[i], e.holders[i] = 0;
    e.object = nullptr;
    ++e.generation;
    obj.export_slot = 0;
    --count_;
    release_object(&obj); // the holders' reference (the caller still holds one)
    if (count_ == 0 && drained_) drained_();
    return true;
}

void Exports::release_holder(ExportToken token, uint32_t holder)
{
    if (token.index >= kSlots || holder >= 256) return;
    Entry& e = entries_[token.index];
    if (!e.object || e.generation != token.generation) return;
    e.holders[holder / 64] &= ~(uint64_t(1) << (holder % 64));
    for (uint64_t w : e.holders)
        if (w) return;
    KObject* obj = e.object;
    e.object = nullptr;
    ++e.generation; // tokens for this slot are stale from now on
    obj->export_slot = 0;
    --count_;
    release_object(obj);
    if (count_ == 0 && drained_) drained_();
}

} // namespace atoll_os
