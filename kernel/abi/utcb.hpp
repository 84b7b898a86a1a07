// The user thread control block: one page per thread, mapped in its task,
// where long messages and capability transfers are described. The kernel
// reads and writes it through its own mapping of the frame.
#pragma once

#include <stdint.h>

namespace atoll_os {

struct Utcb {
    static constexpr unsigned kWords = 64;
    uint64_t mr[kWords];        // message words; mr[0..3] also travel in registers
    // Sender: the capability to pass along when flags has kIpcTransferCap.
    uint64_t transfer_slot;
    uint64_t transfer_rights;   // mask applied to the passed copy
    // Receiver: where an incoming capability goes; after a receive,
    // transfer_status says whether it arrived (kOk) or why not.
    uint64_t receive_slot;
    int64_t transfer_status;
};
static_assert(sizeof(Utcb) <= 4096);

// IPC flags (rsi on entry) and the info word (rdi on return).
namespace ipcflags {
inline constexpr uint64_t kNonBlocking = 1;
inline constexpr uint64_t kTransferCap = 1ull << 16;
// Total message length in words (4..64) in bits 8..15; 0 means 4.
inline constexpr uint64_t length(uint64_t flags) { return (flags >> 8) & 0xff; }
inline constexpr uint64_t with_length(uint64_t words) { return (words & 0xff) << 8; }
} // namespace ipcflags

inline constexpr uint64_t kUtcbArea = 0x00007f0000000000ull; // thread N's UTCB at kUtcbArea + N * 4096

} // namespace atoll_os
