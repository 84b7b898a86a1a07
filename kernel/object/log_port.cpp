// LogPort creation and teardown.
#include "kernel/object/log_port.hpp"

namespace atoll_os {

LogPort* LogPort::create(Quota& payer, Status& status) { return create_object<LogPort>(payer, status, payer); }

void LogPort::destroy() { destroy_object(this, *payer_); }

} // namespace atoll_os
