// Irq creation, delivery and teardown; the boot core's table of which Irq
// owns which vector and which GSI.
#include "kernel/object/irq.hpp"

#include "kernel/acpi/irq_route.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/ioapic.hpp"
#include "kernel/object/notification.hpp"
#include "percpu/boot_info.hpp"

namespace atoll_os {
namespace {

// Enough for any machine we boot (QEMU has 24); larger GSIs are refused.
constexpr uint32_t kMaxGsis = 256;

// Per core like every global; only the boot core's are ever filled.
Irq* g_by_vector[256];
Irq* g_by_gsi[kMaxGsis];

// A vector whose Irq is gone may still have been pending in the local APIC:
// it finds no Irq here and is only acknowledged.
void on_device_vector(InterruptFrame& frame)
{
    if (Irq* irq = g_by_vector[uint8_t(frame.vector)]) irq->fire();
}

// Next fit: a freed vector is reused last, so an interrupt still pending
// for a deleted Irq is unlikely to reach a new one (which would only see
// one spurious signal).
unsigned g_next_vector = vector::kFirstDevice;

int free_vector()
{
    constexpr unsigned kCount = vector::kLastDevice - vector::kFirstDevice + 1;
    for (unsigned i = 0; i < kCount; ++i) {
        unsigned v = vector::kFirstDevice + (g_next_vector - vector::kFirstDevice + i) % kCount;
        if (!g_by_vector[v]) {
            g_next_vector = v + 1 > vector::kLastDevice ? vector::kFirstDevice : v + 1;
            return int(v);
        }
    }
    return -1;
}

} // namespace

void install_device_vectors()
{
    for (unsigned v = vector::kFirstDevice; v <= vector::kLastDevice; ++v)
        set_interrupt_handler(uint8_t(v), on_device_vector);
}

Irq::Irq(Quota& payer, uint32_t gsi, uint8_t vector, Notification& target, uint64_t bits)
    : KObject(ObjectType::kIrq), payer_(&payer), target_(&target), bits_(bits), gsi_(gsi), vector_(vector)
{
}

Irq* Irq::create(Quota& payer, uint64_t line, Notification& target, uint64_t bits, Status& status)
{
    // Device interrupts are routed to the boot core only (ioapic.hpp).
    if (this_core().core != 0) {
        status = Status::kWrongCore;
        return nullptr;
    }
    acpi::IrqRoute route{};
    if (bits == 0 || !acpi::route_irq_line(boot_info().topology.interrupts, line, route) ||
        route.gsi >= kMaxGsis || !io_apics().has_gsi(route.gsi)) {
        status = Status::kInvalidArgument;
        return nullptr;
    }
    if (g_by_gsi[route.gsi]) {
        status = Status::kInUse;
        return nullptr;
    }
    const int vec = free_vector();
    if (vec < 0) {
        status = Status::kNoMemory; // every device vector of this core is taken
        return nullptr;
    }
    Irq* irq = create_object<Irq>(payer, status, payer, route.gsi, uint8_t(vec), target, bits);
    if (!irq) return nullptr;
    target.add_ref(); // held like a capability until the Irq goes
    g_by_vector[vec] = irq;
    g_by_gsi[route.gsi] = irq;
    io_apics().route(route.gsi, uint8_t(vec), route.active_low, route.level);
    return irq;
}

void Irq::unmask() { io_apics().unmask(gsi_); }

void Irq::fire()
{
    io_apics().mask(gsi_);
    target_->signal(bits_);
}

void Irq::destroy()
{
    io_apics().mask(gsi_);
    g_by_vector[vector_] = nullptr;
    g_by_gsi[gsi_] = nullptr;
    release_object(target_);
    destroy_object(this, *payer_);
}

} // namespace atoll_os
