// sigma0, the root pager. It owns the memory the kernel lets user space
// have (its quota is exactly that budget) and answers one client, the root
// task: page faults anywhere in the root task's address space get a fresh
// zeroed page, and explicit requests get whole frames, which the root task
// then hands to the programs it loads. Deliberately simple: policy (who may
// have how much) lives in the root task, not here.
#include "kernel/abi/program_env.hpp"
#include "kernel/abi/syscalls.hpp"
#include <stdarg.h>

#include "kernel/lib/format.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/memory.hpp"
#include "runtime/lib/user/sigma0_client.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/tasks.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

constexpr uint64_t kEndpoint = sys::kSlotBootEndpoint;
constexpr uint64_t kChunkBytes = 64 * 1024; // root task pages come 16 at a time: one slot each
constexpr uint64_t kPage = 4096;
constexpr uint64_t kLowestPage = 0x10000; // below: a null pointer, not a request for memory

uint64_t g_chunk = kNoSlot;
uint64_t g_chunk_used = kChunkBytes;
uint64_t g_pages, g_frames, g_frame_bytes;

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log(const char* fmt, ...)
{
    char line[sys::kMaxDebugWrite + 1] = "sigma0: ";
    const size_t prefix = 8;
    va_list args;
    va_start(args, fmt);
    size_t n = prefix + vformat(line + prefix, sizeof line - prefix, fmt, args);
    va_end(args);
    (void)log_write(rootslots::kLog, line, n < sys::kMaxDebugWrite ? n : sys::kMaxDebugWrite);
}

// A zeroed page from the current chunk, as (frame slot, page index).
bool next_page(uint64_t& frame, uint64_t& page)
{
    if (g_chunk_used == kChunkBytes) {
        uint64_t slot = alloc_slot();
        if (slot == kNoSlot || !ok(frame_create(sys::kSlotSelf, slot, kChunkBytes))) {
            if (slot != kNoSlot) free_slot(slot);
            return false;
        }
        g_chunk = slot;
        g_chunk_used = 0;
    }
    frame = g_chunk;
    page = g_chunk_used / kPage;
    g_chunk_used += kPage;
    return true;
}

// A root-task page fault: map a page there, or let the thread die.
Message page_fault(const Message& fault)
{
    const uint64_t address = fault.w[0], ip = fault.w[1];
    const uint64_t page_va = address & ~(kPage - 1);
    uint64_t frame, page;
    if (page_va < kLowestPage || page_va >= sys::kUserLimit) {
        log("root task: fault at ip %#lx on %#lx is not memory anyone can have", ip, address);
        return Message{{sys::kFaultKill, 0, 0, 0}};
    }
    if (!next_page(frame, page)) {
        log("out of memory for the root task's fault at %#lx", address);
        return Message{{sys::kFaultKill, 0, 0, 0}};
    }
    Status s = map(rootslots::kRootTask, frame, page_va, kMapWrite, page, 1);
    if (!ok(s)) {
        // Already mapped: a write to read-only memory, or an execute fault.
        log("root task: fault at ip %#lx on %#lx (code %#lx): %s", ip, address, fault.w[2], status_message(s));
        return Message{{sys::kFaultKill, 0, 0, 0}};
    }
    ++g_pages;
    return Message{{sys::kFaultResume, 0, 0, 0}};
}

} // namespace

int main()
{
    log("serving the root task");
    Message m{};
    uint64_t badge = 0, info = 0, flags = 0;
    uint64_t given = kNoSlot; // the frame just passed on in a reply
    main_utcb->receive_slot = kNoSlot;
    Status s = ipc_syscall(sys::kReceive, kEndpoint, 0, m, &badge, &info);
    for (;;) {
        if (given != kNoSlot) { // the root task has its copy now
            (void)cap_delete(given);
            free_slot(given);
            given = kNoSlot;
        }
        if (!ok(s)) {
            log("receive failed: %s", status_message(s));
            return 1;
        }
        flags = 0;
        if (info & sys::kFaultMessage) {
            m = page_fault(m);
        } else if (m.w[0] == sigma0::kOpFrame) {
            uint64_t slot = alloc_slot();
            Status r = slot == kNoSlot ? Status::kNoMemory : frame_create(sys::kSlotSelf, slot, m.w[1]);
            if (ok(r)) {
                main_utcb->transfer_slot = slot;
                main_utcb->transfer_rights = rights::kAll;
                flags = ipcflags::kTransferCap;
                given = slot;
                ++g_frames;
                g_frame_bytes += m.w[1];
            } else if (slot != kNoSlot) {
                free_slot(slot);
            }
            m = Message{{uint64_t(r), 0, 0, 0}};
        } else if (m.w[0] == kOpStop) {
            log("done: %lu pages for the root task's own memory, %lu frames (%lu KiB) for its programs", g_pages,
                g_frames, g_frame_bytes >> 10);
            (void)reply(Message{{uint64_t(Status::kOk), 0, 0, 0}});
            return 0;
        } else {
            m = Message{{uint64_t(Status::kInvalidArgument), 0, 0, 0}};
        }
        s = ipc_syscall(sys::kReplyReceive, kEndpoint, flags, m, &badge, &info);
    }
}
