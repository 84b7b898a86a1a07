// Frame: physical memory as an object. Fresh frames are zeroed, contiguous
// and paid for (in full) from the creating task's quota; boot-module frames
// describe memory the kernel loaded and are never freed. A Frame is mapped
// through a capability to it, and every mapping dies with that capability.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class Frame final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kFrame;
    static constexpr unsigned kMaxOrder = 10; // 4 MiB: larger requests take several frames

    // Rounds `bytes` up to a power-of-two number of pages.
    static Frame* create(Quota& payer, uint64_t bytes, Status& status);
    // Memory that already holds something (a boot module): not zeroed, not freed.
    static Frame* create_physical(Quota& payer, uint64_t phys, uint64_t bytes, Status& status);
    void destroy();

    uint64_t phys() const { return phys_; }
    uint64_t bytes() const { return bytes_; }

    Frame(Quota& payer, uint64_t phys, uint64_t bytes, int order)
        : KObject(ObjectType::kFrame), payer_(&payer), phys_(phys), bytes_(bytes), order_(order)
    {
    }

private:
    Quota* payer_;
    uint64_t phys_;
    uint64_t bytes_;
    int order_; // buddy order of owned memory; -1: not ours to free
};

} // namespace atoll_os
