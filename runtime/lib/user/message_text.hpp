// Text carried in message words, 8 bytes a word, little-endian: words 0-3
// are the registers (a Message), the rest the thread's UTCB. Several
// protocols (console, the demo echo service) carry text this way.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::user {

// Packs `len` bytes into words [first, ...); returns the message length in
// words (at least 4), for ipcflags::with_length. Caller keeps len within
// (Utcb::kWords - first) * 8.
inline uint64_t pack_text(Message& m, Utcb& utcb, unsigned first, const char* text, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        unsigned w = first + unsigned(i / 8);
        uint64_t& word = w < 4 ? m.w[w] : utcb.mr[w];
        if (i % 8 == 0) word = 0;
        word |= uint64_t(uint8_t(text[i])) << (8 * (i % 8));
    }
    uint64_t words = first + (len + 7) / 8;
    return words < 4 ? 4 : words;
}

// The reverse; `len` must not exceed what the message carried.
inline void unpack_text(const Message& m, const Utcb& utcb, unsigned first, char* out, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        unsigned w = first + unsigned(i / 8);
        uint64_t word = w < 4 ? m.w[w] : utcb.mr[w];
        out[i] = char(word >> (8 * (i % 8)));
    }
}

// Bytes of text that fit from word `first` on.
inline constexpr size_t text_capacity(unsigned first) { return (Utcb::kWords - first) * sizeof(uint64_t); }

} // namespace atoll_os::user
