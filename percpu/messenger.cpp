// Messenger: lazy channel creation, doorbells, backpressure and dispatch.
#include "percpu/messenger.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/lapic.hpp"
#include "kernel/log.hpp"
#include "kernel/time.hpp"
#include "percpu/boot_info.hpp"
#include "percpu/kcb.hpp"
#include "percpu/layout.hpp"
#include "percpu/remote_map.hpp"

namespace atoll_os {
namespace {

Messenger g_messenger;

constexpr uint64_t kConnectTimeoutUs = 10'000'000;
constexpr uint64_t kRequestRetryUs = 100'000;
constexpr unsigned kBatch = 32; // per ring per poll, so one chatty peer cannot starve others

uint32_t apic_of(uint32_t core) { return boot_info().topology.cores[core].apic_id; }

void on_request_ipi(InterruptFrame&) { messenger().note_channel_request(); }
// Waking from hlt is the whole point; from user mode the interrupt path
// then takes the urgent messages (kernel/syscall/dispatch.cpp).
void on_doorbell_ipi(InterruptFrame&) {}

} // namespace

Messenger& messenger() { return g_messenger; }

void Messenger::init(uint32_t self_core, uint64_t directory_phys, uint64_t boot_magic)
{
    self_ = self_core;
    magic_ = boot_magic;
    dir_ = phys_to_ptr<ChannelDirectory>(directory_phys);
    __builtin_memset(static_cast<void*>(dir_), 0, sizeof(ChannelDirectory));
    set_interrupt_handler(vector::kChannelRequest, on_request_ipi);
    set_interrupt_handler(vector::kChannelDoorbell, on_doorbell_ipi);
    dir_->magic.store(boot_magic, std::memory_order_release);
}

void Messenger::set_handler(Msg type, MessageHandler handler) { handlers_[uint16_t(type)] = handler; }

uint64_t Messenger::deadline_after(uint64_t timeout_us) { return cpu::rdtsc() + micros_to_tsc(timeout_us); }
bool Messenger::past(uint64_t deadline) { return cpu::rdtsc() >= deadline; }
uint64_t Messenger::now_tsc() { return cpu::rdtsc(); }
void Messenger::relax() { cpu::pause(); }
uint64_t Messenger::spin_before_idle_tsc()
{
    constexpr uint64_t kSpinUs = 50;
    return micros_to_tsc(kSpinUs);
}

const ChannelDirectory* Messenger::remote_directory(uint32_t core)
{
    if (!remote_dirs_[core]) {
        uint64_t phys = boot_info().directory_phys[core];
        remote_dirs_[core] = static_cast<const ChannelDirectory*>(map_remote(phys, kDirectoryBytes, false));
    }
    const ChannelDirectory* d = remote_dirs_[core];
    return (d && d->magic.load(std::memory_order_acquire) == magic_) ? d : nullptr;
}

bool Messenger::connect(uint32_t dest)
{
    dir_->request[dest].store(1, std::memory_order_release);
    uint64_t deadline = deadline_after(kConnectTimeoutUs);
    while (!past(deadline)) {
        lapic().send_ipi(apic_of(dest), vector::kChannelRequest);
        uint64_t ring_phys = 0;
        wait_until(
            [&] {
                const ChannelDirectory* peer = remote_directory(dest);
                ring_phys = peer ? peer->grant[self_].load(std::memory_order_acquire) : 0;
                return ring_phys != 0;
            },
            kRequestRetryUs);
        if (ring_phys) {
            auto* remote_ring = static_cast<ChannelRing*>(
                map_remote(ring_phys, ChannelRing::bytes_for(kRingSlots), true));
            if (!remote_ring) return false;
            senders_[dest].attach(remote_ring);
            return true;
        }
    }
    klog("channel: core %u did not answer a channel request within %lu ms", dest, kConnectTimeoutUs / 1000);
    return false;
}

void Messenger::service_channel_requests()
{
    const uint32_t cores = boot_info().topology.core_count;
    for (uint32_t s = 0; s < cores; ++s) {
        if (s == self_ || receivers_[s].attached()) continue;
        const ChannelDirectory* peer = remote_directory(s);
        if (!peer || !peer->request[self_].load(std::memory_order_acquire)) continue;
        // The ring lives in our memory: receiver-owned, as every channel.
        constexpr unsigned kOrder = 1;
        static_assert(ChannelRing::bytes_for(kRingSlots) <= (kPageSize << kOrder));
        uint64_t phys = this_core().frames.alloc(kOrder);
        if (!phys) {
            klog("channel: out of memory for the ring from core %u", s);
            continue;
        }
        ring_bytes_ += kPageSize << kOrder;
        ChannelRing* ring = ChannelRing::create(phys_to_ptr<void>(phys), kRingSlots);
        receivers_[s].attach(ring);
        active_[active_count_++] = s;
        dir_->grant[s].store(phys, std::memory_order_release);
        lapic().send_ipi(apic_of(s), vector::kChannelDoorbell);
    }
}

void Messenger::ring_doorbell_if_idle(uint32_t dest)
{
    // Pairs with idle_until_doorbell(): either the peer sees our message on
    // its last check before hlt, or we see its flag here. The fence keeps
    // our slot store ahead of this load.
    cpu::mfence();
    const ChannelDirectory* peer = remote_directory(dest);
    if (peer && peer->wants_doorbell.load(std::memory_order_relaxed))
        lapic().send_ipi(apic_of(dest), vector::kChannelDoorbell);
}

bool Messenger::send(uint32_t dest, Msg type, const void* payload, uint16_t length)
{
    if (dest >= boot_info().topology.core_count || dest == self_) return false;
    ChannelSender& s = senders_[dest];
    if (!s.attached() && !connect(dest)) return false;
    if (overflow_[dest].count == 0 && s.try_send(uint16_t(type), payload, length)) {
        ring_doorbell_if_idle(dest);
        return true;
    }
    // Full, or earlier messages still wait: queue behind them, in order.
    if (length <= kChannelPayload && enqueue(dest, type, payload, length)) {
        ring_doorbell_if_idle(dest);
        return true;
    }
    // No memory for the queue: wait for room the old way, keeping our own
    // inbox moving (the peer may be waiting on us).
    while (overflow_[dest].count != 0 || !s.try_send(uint16_t(type), payload, length)) {
        flush(dest);
        ring_doorbell_if_idle(dest);
        if (!poll()) cpu::pause();
    }
    ring_doorbell_if_idle(dest);
    return true;
}

bool Messenger::push(Overflow& q, uint16_t type, const void* payload, uint16_t length)
{
    if (q.count == q.capacity) {
        const uint32_t capacity = q.capacity ? 2 * q.capacity : 64;
        auto* items = static_cast<ChannelMessage*>(this_core().heap.alloc(capacity * sizeof(ChannelMessage)));
        if (!items) return false;
        for (uint32_t i = 0; i < q.count; ++i) items[i] = q.items[(q.head + i) % q.capacity];
        if (q.items) this_core().heap.free(q.items);
        q.items = items;
        q.head = 0;
        q.capacity = capacity;
    }
    ChannelMessage& m = q.items[(q.head + q.count) % q.capacity];
    m.type = type;
    m.length = length;
    __builtin_memset(m.payload, 0, sizeof m.payload);
    if (length) __builtin_memcpy(m.payload, payload, length);
    ++q.count;
    return true;
}

bool Messenger::enqueue(uint32_t dest, Msg type, const void* payload, uint16_t length)
{
    const bool was_empty = overflow_[dest].count == 0;
    if (!push(overflow_[dest], uint16_t(type), payload, length)) return false;
    if (was_empty) ++overflowing_;
    return true;
}

void Messenger::flush(uint32_t dest)
{
    Overflow& q = overflow_[dest];
    bool sent = false;
    while (q.count) {
        const ChannelMessage& m = q.items[q.head];
        if (!senders_[dest].try_send(m.type, m.payload, m.length)) break;
        q.head = (q.head + 1) % q.capacity;
        --q.count;
        sent = true;
    }
    if (sent) ring_doorbell_if_idle(dest);
    if (q.count == 0 && q.items) { // give the memory back: the self-check counts it
        this_core().heap.free(q.items);
        q = Overflow{};
        --overflowing_;
    }
}

void Messenger::flush_all()
{
    if (!overflowing_) return;
    const uint32_t cores = boot_info().topology.core_count;
    for (uint32_t c = 0; c < cores && overflowing_; ++c)
        if (overflow_[c].count) flush(c);
}

void Messenger::dispatch(uint32_t from, const ChannelMessage& msg)
{
    uint16_t t = msg.type;
    MessageHandler h = t < uint16_t(Msg::kCount) ? handlers_[t] : nullptr;
    if (h) h(from, msg);
    else klog("channel: no handler for message type %u from core %u", t, from);
}

// Messages poll_urgent() set aside come before anything newer on their ring.
unsigned Messenger::drain_set_aside(uint32_t from)
{
    Overflow& q = set_aside_[from];
    unsigned handled = 0;
    for (; q.count && handled < kBatch; ++handled) {
        const ChannelMessage msg = q.items[q.head]; // a copy: the handler may set more aside
        q.head = (q.head + 1) % q.capacity;
        --q.count;
        dispatch(from, msg);
    }
    if (q.count == 0 && q.items) {
        this_core().heap.free(q.items);
        q = Overflow{};
        --setting_aside_;
    }
    return handled;
}

unsigned Messenger::poll()
{
    flush_all();
    unsigned handled = 0;
    if (request_pending_) {
        request_pending_ = false;
        service_channel_requests();
    }
    for (uint32_t i = 0; i < active_count_; ++i) {
        uint32_t from = active_[i];
        if (set_aside_[from].count) handled += drain_set_aside(from);
        ChannelMessage msg;
        // A handler may wait for an urgent answer and set later messages
        // of this ring aside meanwhile: those go first, next round.
        for (unsigned n = 0; n < kBatch && !set_aside_[from].count && receivers_[from].try_receive(msg); ++n) {
            ++handled;
            dispatch(from, msg);
        }
    }
    return handled;
}

unsigned Messenger::poll_urgent()
{
    flush_all();
    unsigned handled = 0;
    for (uint32_t i = 0; i < active_count_; ++i) {
        uint32_t from = active_[i];
        ChannelMessage msg;
        while (receivers_[from].try_receive(msg)) {
            if (urgent_[msg.type < uint16_t(Msg::kCount) ? msg.type : 0]) {
                ++handled;
                dispatch(from, msg);
                continue;
            }
            Overflow& q = set_aside_[from];
            const bool was_empty = q.count == 0;
            if (!push(q, msg.type, msg.payload, msg.length)) {
                // No memory to keep it: handle it now rather than lose it.
                klog("channel: no memory to set a message from core %u aside; handling it early", from);
                dispatch(from, msg);
                continue;
            }
            if (was_empty) ++setting_aside_;
        }
    }
    return handled;
}

bool Messenger::send_urgent(uint32_t dest, Msg type, const void* payload, uint16_t length)
{
    if (!send(dest, type, payload, length)) return false;
    lapic().send_ipi(apic_of(dest), vector::kChannelDoorbell);
    return true;
}

bool Messenger::anything_pending() const
{
    if (request_pending_ || overflowing_ || setting_aside_) return true; // queued messages: do not halt
    for (uint32_t i = 0; i < active_count_; ++i)
        if (!receivers_[active_[i]].empty()) return true;
    return false;
}

void Messenger::idle_until_doorbell()
{
    cpu::cli();
    dir_->wants_doorbell.store(1, std::memory_order_relaxed);
    cpu::mfence();
    if (anything_pending()) {
        dir_->wants_doorbell.store(0, std::memory_order_relaxed);
        cpu::sti();
        return;
    }
    cpu::sti_hlt(); // any interrupt (doorbell, request, timer tick) wakes us
    dir_->wants_doorbell.store(0, std::memory_order_relaxed);
}

} // namespace atoll_os
