// Spans: the origin's copies to every span core, the span cores' tables,
// and the acknowledgements the origin waits for.
#include "percpu/span.hpp"

#include "kernel/abi/utcb.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/log.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task.hpp"
#include "kernel/time.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/exports.hpp"
#include "percpu/kcb.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {

// The origin's record of its spans: which core, and what that core calls it.
struct SpanMember {
    uint32_t core;
    SpanKey key;
};
struct SpanSet {
    uint32_t count, capacity;
    SpanMember at[];
    size_t bytes() const { return sizeof(SpanSet) + capacity * sizeof(SpanMember); }
};

namespace {

// ---- the span core's table (per core, like every kernel global) ----

constexpr uint32_t kSpanSlots = 256;
struct SpanSlot {
    Task* task;
    uint16_t generation;
};
SpanSlot g_slots[kSpanSlots];

// The span `key` names, if the message comes from its origin's core.
Task* span_at(SpanKey key, uint32_t from)
{
    if (key.index >= kSpanSlots) return nullptr;
    const SpanSlot& s = g_slots[key.index];
    if (!s.task || s.generation != key.generation) return nullptr;
    return static_cast<const RemoteRef*>(s.task->span_origin)->owner() == from ? s.task : nullptr;
}

// ---- the origin's side ----

uint32_t g_acks_due; // span cores yet to acknowledge this core's last change

// Waits, handling only urgent messages (another core's shootdown of a span
// we host included), until every span core acknowledged.
void await_acks()
{
    Messenger& m = messenger();
    const uint64_t start = cpu::rdtsc();
    bool told = false;
    while (g_acks_due) {
        if (m.poll_urgent()) continue;
        cpu::pause();
        if (!told && cpu::rdtsc() - start > micros_to_tsc(1'000'000)) {
            klog("span: %u shootdown acknowledgements still missing after a second; still waiting", g_acks_due);
            told = true;
        }
    }
}

template <class T> void send_to(uint32_t core, Msg type, const T& payload)
{
    if (messenger().send_urgent_value(core, type, payload)) ++g_acks_due;
    else klog("span: cannot reach core %u", core);
}

// The shared range: below the UTCB area, which is each core's own.
bool clip(uint64_t& va, uint64_t& end)
{
    if (end > kUtcbArea) end = kUtcbArea;
    return va < end;
}

// Sends the leaves of [va, end) as runs of consecutive frames with equal
// bits, to one member or (`only` null) to all.
struct Copier {
    const SpanSet* set;
    const SpanMember* only;
    uint64_t va = 0, leaf = 0;
    uint32_t pages = 0;

    static constexpr uint64_t kKept = ~(pte::kAddressMask | (1ull << 5) | (1ull << 6)); // not accessed/dirty
    void add(uint64_t at, uint64_t e)
    {
        const uint64_t next = (leaf & pte::kAddressMask) + uint64_t(pages) * kPageSize;
        if (pages && at == va + uint64_t(pages) * kPageSize && (e & pte::kAddressMask) == next &&
            (e & kKept) == (leaf & kKept) && pages < 512) {
            ++pages;
            return;
        }
        flush();
        va = at, leaf = e, pages = 1;
    }
    void flush()
    {
        if (!pages) return;
        auto send = [&](const SpanMember& m) { send_to(m.core, Msg::kSpanMap, SpanMap{m.key, pages, 0, va, leaf}); };
        if (only) send(*only);
        else
            for (uint32_t i = 0; i < set->count; ++i) send(set->at[i]);
        pages = 0;
    }
};

void copy_range(Task& origin, uint64_t va, uint64_t end, const SpanMember* only)
{
    Copier c{origin.spans, only};
    origin.tables().for_each_leaf(
        va, end, [](uint64_t at, uint64_t e, void* copier) { static_cast<Copier*>(copier)->add(at, e); }, &c);
    c.flush();
    await_acks();
}

void unmap_everywhere(Task& origin, uint64_t va, uint32_t pages)
{
    const SpanSet& set = *origin.spans;
    for (uint32_t i = 0; i < set.count; ++i)
        send_to(set.at[i].core, Msg::kSpanUnmap, SpanUnmap{set.at[i].key, pages, 0, va});
    await_acks();
}

void free_set(Task& origin)
{
    const size_t bytes = origin.spans->bytes();
    this_core().heap.free(origin.spans);
    origin.spans = nullptr;
    origin.quota().release(bytes);
}

// ---- messages ----

void acknowledge(uint32_t to)
{
    if (!messenger().send_urgent(to, Msg::kSpanAck, nullptr, 0)) klog("span: cannot acknowledge to core %u", to);
}

void on_span_map(uint32_t from, const ChannelMessage& msg)
{
    SpanMap m;
    __builtin_memcpy(&m, msg.payload, sizeof m);
    if (Task* span = span_at(m.span, from)) span->replica_map(m.va, m.leaf, m.pages);
    acknowledge(from); // a span that ended meanwhile has nothing to change
}

void on_span_unmap(uint32_t from, const ChannelMessage& msg)
{
    SpanUnmap m;
    __builtin_memcpy(&m, msg.payload, sizeof m);
    if (Task* span = span_at(m.span, from)) span->replica_unmap(m.va, m.pages);
    acknowledge(from);
}

void on_span_ack(uint32_t from, const ChannelMessage&)
{
    if (g_acks_due) --g_acks_due;
    else klog("span: an acknowledgement from core %u nobody waits for", from);
}

void on_span_leave(uint32_t from, const ChannelMessage& msg)
{
    SpanLeave l;
    __builtin_memcpy(&l, msg.payload, sizeof l);
    KObject* o = exports().find(l.origin.index, l.origin.generation);
    if (!o || o->type() != ObjectType::kTask) return; // the origin is gone, and its spans list with it
    Task& origin = *static_cast<Task*>(o);
    SpanSet* set = origin.spans;
    if (!set) return;
    for (uint32_t i = 0; i < set->count; ++i)
        if (set->at[i].core == from) {
            set->at[i] = set->at[--set->count];
            break;
        }
    if (set->count == 0) free_set(origin); // back to the one-compare path
}

} // namespace

void span_init()
{
    Messenger& m = messenger();
    m.set_handler(Msg::kSpanMap, on_span_map);
    m.set_handler(Msg::kSpanUnmap, on_span_unmap);
    m.set_handler(Msg::kSpanAck, on_span_ack);
    m.set_handler(Msg::kSpanLeave, on_span_leave);
    m.set_urgent(Msg::kSpanMap);
    m.set_urgent(Msg::kSpanUnmap);
    m.set_urgent(Msg::kSpanAck);
}

void span_mapped(Task& origin, uint64_t va, uint64_t bytes)
{
    uint64_t end = va + bytes;
    if (clip(va, end)) copy_range(origin, va, end, nullptr);
}

void span_unmapped(Task& origin, uint64_t va, uint64_t bytes)
{
    uint64_t end = va + bytes;
    if (clip(va, end)) unmap_everywhere(origin, va, uint32_t((end - va) / kPageSize));
}

void span_origin_ends(Task& origin)
{
    unmap_everywhere(origin, 0, kSpanAllPages);
    free_set(origin);
}

bool span_on(const Task& origin, uint32_t core)
{
    if (!origin.spans) return false;
    for (uint32_t i = 0; i < origin.spans->count; ++i)
        if (origin.spans->at[i].core == core) return true;
    return false;
}

Status span_attach(Task& origin, uint32_t core, SpanKey key)
{
    if (origin.dead()) return Status::kDead;
    if (span_on(origin, core)) return Status::kAddressInUse;
    if (!origin.spans) {
        const uint32_t capacity = boot_info().topology.core_count;
        const size_t bytes = sizeof(SpanSet) + capacity * sizeof(SpanMember);
        if (!origin.quota().charge(bytes)) return Status::kQuotaExceeded;
        void* mem = this_core().heap.alloc(bytes);
        if (!mem) {
            origin.quota().release(bytes);
            return Status::kNoMemory;
        }
        origin.spans = static_cast<SpanSet*>(mem);
        origin.spans->count = 0;
        origin.spans->capacity = capacity;
    }
    SpanMember& m = origin.spans->at[origin.spans->count++];
    m = SpanMember{core, key};
    copy_range(origin, 0, kUtcbArea, &m);
    return Status::kOk;
}

Status span_make(Task& span, KObject& origin, SpanKey& key)
{
    for (uint32_t i = 0; i < kSpanSlots; ++i) {
        SpanSlot& s = g_slots[i];
        if (s.task) continue;
        s.task = &span;
        origin.add_ref();
        span.span_origin = &origin;
        span.span_index = i;
        key = SpanKey{i, s.generation, 0};
        return Status::kOk;
    }
    return Status::kNoMemory; // kSpanSlots spans on this core already
}

void span_ends(Task& span)
{
    SpanSlot& s = g_slots[span.span_index];
    s.task = nullptr;
    ++s.generation; // what the origin still sends for it finds nothing
    auto* origin = static_cast<RemoteRef*>(span.span_origin);
    span.span_origin = nullptr;
    if (!messenger().send_value(origin->owner(), Msg::kSpanLeave, SpanLeave{origin->token()}))
        klog("span: cannot tell core %u that task %s's span ended", origin->owner(), span.name());
    release_object(origin);
}

} // namespace atoll_os
