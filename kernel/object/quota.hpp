// Quota: kernel memory a task may cause to be allocated (objects it creates,
// its page tables, its anonymous memory). Exhaustion is a status, not a panic,
// and one task's use cannot starve another's quota.
//
// A task's quota outlives the task while anything it paid for still exists
// (an endpoint another task holds, a frame, a child task): the owner hears
// when the quota drains, and only then may free what embeds it.
#pragma once

#include <stdint.h>

namespace atoll_os {

class Quota {
public:
    explicit Quota(uint64_t limit = 0) : limit_(limit) {}
    [[nodiscard]] bool charge(uint64_t bytes)
    {
        if (bytes > limit_ - used_) return false;
        used_ += bytes;
        return true;
    }
    void release(uint64_t bytes)
    {
        used_ = bytes > used_ ? 0 : used_ - bytes;
        if (used_ == 0 && drained_) drained_(drained_ctx_);
    }
    // Called each time used() returns to zero.
    void on_drained(void (*fn)(void*), void* ctx)
    {
        drained_ = fn;
        drained_ctx_ = ctx;
    }
    uint64_t used() const { return used_; }
    uint64_t limit() const { return limit_; }

private:
    uint64_t limit_;
    uint64_t used_ = 0;
    void (*drained_)(void*) = nullptr;
    void* drained_ctx_ = nullptr;
};

} // namespace atoll_os
