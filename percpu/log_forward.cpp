// Log forwarding over channels: fragments of one line, reassembled by core 0.
#include "percpu/log_forward.hpp"

#include "kernel/log.hpp"
#include "percpu/messenger.hpp"

namespace atoll_os {
namespace {

constexpr size_t kTextPerFragment = kChannelPayload - 1; // byte 0 carries flags

struct PartialLine {
    char text[kLogLineMax + 2];
    size_t len;
};
PartialLine g_partial[kMaxCores]; // core 0 only; per-core .bss like everything

void on_log_fragment(uint32_t from, const ChannelMessage& msg)
{
    PartialLine& p = g_partial[from];
    size_t n = msg.length > 0 ? msg.length - 1u : 0;
    for (size_t i = 0; i < n && p.len < sizeof p.text; ++i) p.text[p.len++] = char(msg.payload[1 + i]);
    if (msg.payload[0] & kLogFragmentLast) {
        serial_log_sink(p.text, p.len);
        p.len = 0;
    }
}

} // namespace

void forward_log_line(const char* line, size_t len)
{
    uint8_t frag[kChannelPayload];
    size_t off = 0;
    do {
        size_t n = len - off < kTextPerFragment ? len - off : kTextPerFragment;
        frag[0] = (off + n == len) ? kLogFragmentLast : 0;
        __builtin_memcpy(frag + 1, line + off, n);
        if (!messenger().send(0, Msg::kLogLine, frag, uint16_t(n + 1))) {
            serial_log_sink(line, len); // no channel: better interleaved than lost
            return;
        }
        off += n;
    } while (off < len);
}

void install_log_receiver() { messenger().set_handler(Msg::kLogLine, on_log_fragment); }

} // namespace atoll_os
