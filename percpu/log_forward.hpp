// Log lines from cores other than 0 travel to core 0 over their channel;
// core 0 owns the UART and prints them whole, so lines never interleave.
#pragma once

#include <stddef.h>

namespace atoll_os {

// Sink for APs once their channel to core 0 exists.
void forward_log_line(const char* line, size_t len);
// Core 0: reassembles and prints forwarded lines.
void install_log_receiver();

} // namespace atoll_os
