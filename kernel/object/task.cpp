// Task creation, anonymous memory and teardown, all charged to quotas.
#include "kernel/object/task.hpp"

#include "kernel/abi/utcb.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/object/endpoint.hpp"
#include "kernel/object/mapping.hpp"
#include "kernel/object/notification.hpp"
#include "kernel/object/remote_ref.hpp"
#include "kernel/object/task_io.hpp"
#include "percpu/address_space.hpp"
#include "kernel/log.hpp"
#include "kernel/sched/pcid.hpp"
#include "percpu/layout.hpp"
#include "percpu/remote_ipc.hpp"
#include "percpu/span.hpp"

namespace atoll_os {
namespace {

// Page-table and memory frames for a task come from this core's allocator
// and are paid from the task's quota.
uint64_t charged_frame(void* task_quota)
{
    auto* q = static_cast<Quota*>(task_quota);
    if (!q->charge(kPageSize)) return 0;
    uint64_t phys = this_core().frames.alloc(0);
    if (!phys) q->release(kPageSize);
    return phys;
}

void release_frame(uint64_t phys, bool, void* task_quota)
{
    (void)this_core().frames.free(phys, 0);
    static_cast<Quota*>(task_quota)->release(kPageSize);
}

} // namespace

Task::Task(const char* name, uint64_t quota_bytes, Quota& payer)
    : KObject(ObjectType::kTask), quota_(quota_bytes), quota_bytes_(quota_bytes), payer_(&payer)
{
    size_t i = 0;
    for (; name[i] && i + 1 < kNameMax; ++i) name_[i] = name[i];
    name_[i] = '\0';
}

Task* Task::create(Quota& payer, const char* name, uint64_t quota_bytes, Status& status)
{
    if (!payer.charge(quota_bytes)) {
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    Task* t = create_object<Task>(payer, status, name, quota_bytes, payer);
    if (!t) {
        payer.release(quota_bytes);
        return nullptr;
    }
    FrameSource frames{charged_frame, &t->quota_};
    t->pml4_ = PageTables::create_root(frames, kPhysmapBase);
    if (!t->pml4_) {
        destroy_object(t, payer);
        payer.release(quota_bytes);
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    // The kernel half is this core's: every kernel mapping sits under PML4
    // slots 256..511, which exist from boot, so later kernel mappings (in
    // lower levels) are seen by every task without copying again.
    void* caps = t->quota_.charge(sizeof(CapSpace)) ? this_core().heap.alloc(sizeof(CapSpace)) : nullptr;
    if (!caps) {
        if (t->quota_.used()) t->quota_.release(sizeof(CapSpace));
        t->quota_.release(kPageSize);
        (void)this_core().frames.free(t->pml4_, 0);
        destroy_object(t, payer);
        payer.release(quota_bytes);
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    t->caps_ = new (caps) CapSpace();
    t->quota_.on_drained(quota_drained, t);
    auto* mine = phys_to_ptr<uint64_t>(t->pml4_);
    auto* kernel = phys_to_ptr<const uint64_t>(this_core().pml4_phys);
    for (unsigned i = 256; i < 512; ++i) mine[i] = kernel[i];
    return t;
}

void Task::exit(int64_t code)
{
    exit_code = code;
    dead_ = exiting_ = true; // no new threads, objects or mappings from here on
    // Spans first: their copies reach frames the lines below give back.
    if (spans) span_origin_ends(*this);
    if (span_origin) span_ends(*this);
    if (fault_endpoint) release_object(fault_endpoint);
    fault_endpoint = nullptr;
    caps_->clear();
    caps_->~CapSpace();
    this_core().heap.free(caps_);
    caps_ = nullptr;
    quota_.release(sizeof(CapSpace));
    forget_mappings(*this);
    rebuild_io_bitmap(*this); // no mappings left: frees it
    PageTables pt = tables();
    pt.release_lower_half(release_frame, &quota_);
    release_frame(pml4_, true, &quota_);
    pml4_ = 0;
    if (KObject* n = exit_watch) {
        exit_watch = nullptr;
        if (n->type() == ObjectType::kNotification) static_cast<Notification*>(n)->signal(exit_bits);
        else if (!ok(remote_signal(*static_cast<RemoteRef*>(n), exit_bits)))
            klog("task %s: cannot tell its watcher on another core that it ended", name_);
        release_object(n);
    }
    exiting_ = false;
    free_if_done();
}

void Task::free_if_done()
{
    if (!dead_ || exiting_ || refs() != 0 || quota_.used() != 0) return;
    // The payer may in turn be a dead task waiting for this last charge.
    Quota& payer = *payer_;
    uint64_t quota_bytes = quota_bytes_;
    destroy_object(this, payer);
    payer.release(quota_bytes);
}

void Task::quota_drained(void* task) { static_cast<Task*>(task)->free_if_done(); }

bool Task::is_loaded() const { return cr3_tables(cpu::read_cr3()) == pml4_; }

PageTables Task::tables() const { return PageTables(pml4_, kPhysmapBase, cpu_has_1g_pages()); }

Status Task::map_anonymous(uint64_t va, uint64_t bytes, MapFlags flags)
{
    if ((va | bytes) & (kPageSize - 1) || bytes == 0 || va + bytes < va || va + bytes > 0x0000800000000000ull)
        return Status::kInvalidArgument;
    if (dead_) return Status::kDead;
    if (is_span() && va < kUtcbArea) return Status::kWrongCore; // the origin's core maps the shared range
    flags.user = true;
    flags.owned = true;
    PageTables pt = tables();
    FrameSource table_frames{charged_frame, &quota_};
    Status s = Status::kOk;
    uint64_t off = 0;
    for (; off < bytes; off += kPageSize) {
        uint64_t frame = charged_frame(&quota_);
        if (!frame) {
            s = Status::kQuotaExceeded;
            break;
        }
        __builtin_memset(phys_to_ptr<void>(frame), 0, kPageSize);
        if (!pt.map(va + off, frame, kPageSize, flags, table_frames)) {
            release_frame(frame, false, &quota_);
            s = Status::kInvalidArgument; // overlaps an existing mapping (or tables ran out)
            break;
        }
    }
    if (spans && off) span_mapped(*this, va, off); // what is mapped is mapped everywhere
    return s;
}

void Task::unmap_anonymous_page(uint64_t va)
{
    PageTables pt = tables();
    uint64_t phys = pt.unmap_4k(va);
    if (!phys) return;
    if (is_loaded()) cpu::invlpg(va);
    else tlb_stale = true;
    if (spans) span_unmapped(*this, va, kPageSize); // no core reaches it before it is freed
    release_frame(phys, false, &quota_);
}

Status Task::map_frames(uint64_t va, uint64_t phys, uint64_t bytes, MapFlags flags)
{
    if (dead_) return Status::kDead;
    if (is_span()) return Status::kWrongCore; // the origin's core maps the shared range
    flags.user = true;
    flags.owned = false; // the frame's capability owns it, not this address space
    PageTables pt = tables();
    FrameSource table_frames{charged_frame, &quota_};
    for (uint64_t off = 0; off < bytes; off += kPageSize) {
        // Page by page: user mappings are always 4 KiB so unmap can take
        // any page back out.
        if (!pt.map(va + off, phys + off, kPageSize, flags, table_frames)) {
            unmap_here(va, off);
            uint64_t existing;
            return pt.translate(va + off, existing) ? Status::kAddressInUse : Status::kQuotaExceeded;
        }
    }
    if (spans) span_mapped(*this, va, bytes);
    return Status::kOk;
}

void Task::unmap_here(uint64_t va, uint64_t bytes)
{
    PageTables pt = tables();
    bool loaded = is_loaded();
    for (uint64_t off = 0; off < bytes; off += kPageSize) {
        (void)pt.unmap_4k(va + off);
        if (loaded) cpu::invlpg(va + off);
    }
    if (!loaded) tlb_stale = true; // its PCID may still cache these; its next load flushes them
}

void Task::unmap_frames(uint64_t va, uint64_t bytes)
{
    if (dead_ && !pml4_) return; // the whole address space is gone already
    unmap_here(va, bytes);
    if (spans) span_unmapped(*this, va, bytes); // returns when every span core flushed them
}

void Task::replica_map(uint64_t va, uint64_t leaf, uint32_t pages)
{
    if (dead_ || !pml4_) return;
    PageTables pt = tables();
    FrameSource table_frames{charged_frame, &quota_};
    MapFlags flags = PageTables::flags_of(leaf);
    flags.owned = false; // the origin's memory: freed there, never here
    const uint64_t phys = leaf & pte::kAddressMask;
    for (uint32_t i = 0; i < pages; ++i) {
        const uint64_t at = va + uint64_t(i) * kPageSize;
        uint64_t old;
        if (pt.translate(at, old)) unmap_here(at, kPageSize); // replaced at the origin meanwhile
        if (!pt.map(at, phys + uint64_t(i) * kPageSize, kPageSize, flags, table_frames)) {
            // Out of quota for tables: the page stays absent here, and a
            // thread touching it faults to the span's handler.
            klog("task %s: no quota to copy its origin's page %#lx", name_, at);
            return;
        }
    }
}

void Task::replica_unmap(uint64_t va, uint32_t pages)
{
    if (dead_ || !pml4_) return;
    if (pages != kSpanAllPages) return unmap_here(va, uint64_t(pages) * kPageSize);
    // The origin ended: every page copied from it goes (UTCBs stay: they are ours).
    PageTables pt = tables();
    pt.for_each_leaf(
        0, kUtcbArea,
        [](uint64_t at, uint64_t leaf, void* task) {
            if (!(leaf & pte::kOwned)) static_cast<Task*>(task)->unmap_here(at, kPageSize);
        },
        this);
}

uint64_t Task::frame_of(uint64_t va) const
{
    uint64_t phys;
    return tables().translate(va, phys) ? align_down(phys) : 0;
}

Status Task::write_bytes(uint64_t va, const void* src, uint64_t len)
{
    PageTables pt = tables();
    auto* from = static_cast<const uint8_t*>(src);
    while (len) {
        uint64_t phys;
        if (!pt.translate(va, phys)) return Status::kBadAddress;
        uint64_t chunk = kPageSize - (va & (kPageSize - 1));
        if (chunk > len) chunk = len;
        __builtin_memcpy(phys_to_ptr<void>(phys), from, chunk);
        va += chunk, from += chunk, len -= chunk;
    }
    return Status::kOk;
}

} // namespace atoll_os
