// Frame creation from this core's buddy allocator, and teardown.
#include "kernel/object/frame.hpp"

#include "percpu/layout.hpp"

namespace atoll_os {

Frame* Frame::create(Quota& payer, uint64_t bytes, Status& status)
{
    if (bytes == 0 || bytes > (kPageSize << kMaxOrder)) {
        status = Status::kInvalidArgument;
        return nullptr;
    }
    int order = 0;
    while ((kPageSize << order) < bytes) ++order;
    const uint64_t real = kPageSize << order; // what the buddy allocator really hands out
    if (!payer.charge(real)) {
        status = Status::kQuotaExceeded;
        return nullptr;
    }
    uint64_t phys = this_core().frames.alloc(unsigned(order));
    if (!phys) {
        payer.release(real);
        status = Status::kNoMemory;
        return nullptr;
    }
    __builtin_memset(phys_to_ptr<void>(phys), 0, real); // never leak another task's data
    Frame* f = create_object<Frame>(payer, status, payer, phys, real, order);
    if (!f) {
        (void)this_core().frames.free(phys, unsigned(order));
        payer.release(real);
    }
    return f;
}

Frame* Frame::create_physical(Quota& payer, uint64_t phys, uint64_t bytes, Status& status)
{
    if ((phys | bytes) & (kPageSize - 1) || bytes == 0) {
        status = Status::kInvalidArgument;
        return nullptr;
    }
    return create_object<Frame>(payer, status, payer, phys, bytes, -1);
}

void Frame::destroy()
{
    Quota& payer = *payer_;
    if (order_ >= 0) {
        (void)this_core().frames.free(phys_, unsigned(order_));
        payer.release(bytes_);
    }
    destroy_object(this, payer);
}

} // namespace atoll_os
