// Spans: one address space used on several cores, the multikernel way.
//
// A task belongs to one core (its origin). `kTaskSpan` makes a *span* of it
// on another core: a Task of that core, with that core's kernel half, its
// own capability space and threads, whose user page tables are a copy of
// the origin's. Only the origin's kernel changes the address space; each
// change reaches every span as a message, and the origin waits for every
// span core's acknowledgement before the change counts as done:
//
//   origin core A (task T)                        span core B (span S of T)
//   map into T:  T's tables  ── kSpanMap ───────▶ S's tables (same frames)
//                wait        ◀── kSpanAck ───────
//   unmap in T:  T's tables, invlpg
//                            ── kSpanUnmap ─────▶ S's tables, invlpg if S is
//                                                  loaded (else flushed at its
//                wait        ◀── kSpanAck ─────── next load)
//   the unmap returns: no core can reach the page through T's address space
//
// That is the TLB shootdown: requests over the channels, acknowledged. The
// messages are urgent (percpu/messenger.hpp): the doorbell interrupts a
// span core running user code, which answers at once, and the waiting
// origin handles only urgent messages meanwhile, so two cores shooting
// down at each other both progress. The UTCB area (kUtcbArea and above)
// is each core's own: every span maps its threads' UTCBs there.
//
// A span ends when its last thread does (kSpanLeave tells the origin); the
// origin's end clears every span's copy first (kSpanUnmap of everything),
// so a span's threads outliving it fault on their next access.
#pragma once

#include <stdint.h>

#include "kernel/abi/status.hpp"
#include "percpu/messages.hpp"

namespace atoll_os {

class Task;
class KObject;

// Every core: the message handlers.
void span_init();

// The origin's side, called by Task for every change of its shared range
// (only when it has spans: the check is in Task, one compare).
void span_mapped(Task& origin, uint64_t va, uint64_t bytes);
void span_unmapped(Task& origin, uint64_t va, uint64_t bytes);
void span_origin_ends(Task& origin);
// Whether `origin` has a span on `core` already.
bool span_on(const Task& origin, uint32_t core);
// The span on `core` exists (`key` names it there): records it and copies
// the origin's address space to it, returning once the copy is complete.
[[nodiscard]] Status span_attach(Task& origin, uint32_t core, SpanKey key);

// The span core's side: a new span of the task `origin` names (a RemoteRef
// held from here on); `key` is what the origin will call it.
[[nodiscard]] Status span_make(Task& span, KObject& origin, SpanKey& key);
// A span's last thread ended: the origin stops sending to it.
void span_ends(Task& span);

} // namespace atoll_os
