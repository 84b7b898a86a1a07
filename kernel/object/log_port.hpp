// LogPort: the right to write whole lines to the kernel log (the serial
// console) without the kernel's task-name prefix. The console service holds
// one and prefixes lines itself; everyone else goes through that service.
#pragma once

#include "kernel/object/kobject.hpp"

namespace atoll_os {

class LogPort final : public KObject {
public:
    static constexpr ObjectType kType = ObjectType::kLogPort;

    static LogPort* create(Quota& payer, Status& status);
    void destroy();

    explicit LogPort(Quota& payer) : KObject(ObjectType::kLogPort), payer_(&payer) {}

private:
    Quota* payer_;
};

} // namespace atoll_os
