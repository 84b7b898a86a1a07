// Thread: user register state (saved straight into `frame` by the entry
// code), FPU state, priority, and its place in this core's scheduler.
// A thread is bound to the core that created it.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/object/kobject.hpp"
#include "percpu/messages.hpp"

namespace atoll_os {

class Task;
class Endpoint;
struct Utcb;
class Notification;
class Reply;

class Thread final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kThread;
    enum class State : uint8_t { kReady, kRunning, kSleeping, kBlockedSend, kBlockedReceive, kBlockedReply, kBlockedSignal,
                               kBlockedRemote, kDead };
    static constexpr size_t kNameMax = 16;
    static constexpr uint8_t kMaxPriority = 255;

    // Starts at `entry` with `stack_top` in `task`, not yet scheduled.
    static Thread* create(Task& task, uint64_t entry, uint64_t stack_top, uint8_t priority, const char* name,
                          Status& status);
    void destroy();

    // Entry code pushes into the frame from its end down, so the frame's end
    // is what TSS.rsp0 and the syscall entry point at.
    uint64_t frame_end() const { return reinterpret_cast<uint64_t>(&frame) + sizeof frame; }

    alignas(16) InterruptFrame frame;
    Task* task;
    State state = State::kReady;
    uint8_t priority;
    uint32_t id;
    uint32_t slice_left = 0;
    uint64_t wake_tsc = 0;
    Thread* queue_next = nullptr;  // ready or sleep queue
    Thread* queue_prev = nullptr;
    void* fpu = nullptr;
    uint64_t utcb_va = 0;          // where the task sees this thread's UTCB
    uint64_t utcb_phys = 0;        // where the kernel reaches it
    Utcb& utcb() const;
    // IPC: where it waits, what it sends, whom it must answer.
    Endpoint* blocked_on = nullptr;
    uint64_t send_badge = 0;
    bool send_may_grant = false;    // its endpoint capability had the grant right
    // A fault on its way to (or at) the task's fault handler.
    bool fault_pending = false;
    uint64_t fault_address = 0, fault_ip = 0, fault_code = 0;
    bool sending_call = false;
    Thread* reply_to = nullptr;     // the caller this thread owes a reply (one-shot)
    Thread* awaiting_reply_from = nullptr;
    Reply* saved_reply = nullptr;   // its answer will come through this Reply object
    Notification* waiting_on = nullptr;         // blocked in wait()
    Notification* bound_notification = nullptr; // also ends its endpoint receives
    // A proxy stands on the owner core for a thread of another core that
    // called (or sent to) one of our endpoints; it never runs: when the
    // kernel would make it ready, the outcome goes back to that thread.
    bool proxy = false;
    bool origin_waits = false;      // a call: the answer is the reply
    uint32_t origin_core = 0;
    uint64_t origin_caller = 0;     // that core's name for the thread
    uint32_t revoke_acks = 0;       // holder cores yet to confirm this thread's revoke
    KObject* revoking = nullptr;    // ... of this object
    Thread* next_revoker = nullptr; // this core's threads waiting in a revoke
    Thread* revoke_joiners = nullptr; // later revokes of the same object, returning with this one
    Thread* next_joiner = nullptr;
    // A capability the remote caller passes along, until a receiver takes it.
    bool carries_cap = false;
    bool reply_cap = false;         // ... or the one its server's reply passes back (in `cap` too)
    IpcCap cap{};
    // A call on another core's task that makes an object: where it goes.
    uint64_t invoke_dest = 0;
    // A kTaskSpan under way: the origin (a reference), attached at the answer.
    Task* span_pending = nullptr;
    char name[kNameMax];

    Thread(Task& owner, uint8_t prio, const char* thread_name);
};

static_assert(offsetof(Thread, frame) % 16 == 0, "the CPU aligns rsp0 to 16 bytes");

} // namespace atoll_os
