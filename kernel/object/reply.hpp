// Reply: a one-shot right to answer one caller. A receive leaves the right
// implicit in the receiving thread (the fast path); saving it into a Reply
// object lets a server answer later, after taking other messages. Used
// once, it is empty; freed unused, its caller learns kDead.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class Thread;

class Reply final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kReply;

    static Reply* create(Quota& payer, Status& status);
    void destroy();

    Thread* caller = nullptr; // waiting for the answer; nullptr once used

    explicit Reply(Quota& payer) : KObject(ObjectType::kReply), payer_(&payer) {}

private:
    Quota* payer_;
};

} // namespace atoll_os
