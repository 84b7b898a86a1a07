// printf-style formatting into a caller's buffer.
#include "kernel/lib/format.hpp"

#include <stdint.h>

namespace atoll_os {
namespace {

class Out {
public:
    Out(char* buf, size_t cap) : buf_(buf), cap_(cap) {}
    void put(char c)
    {
        if (len_ + 1 < cap_) buf_[len_] = c;
        ++len_;
    }
    void repeat(char c, int n)
    {
        for (int i = 0; i < n; ++i) put(c);
    }
    size_t finish()
    {
        if (cap_ > 0) buf_[len_ < cap_ ? len_ : cap_ - 1] = '\0';
        return len_;
    }

private:
    char* buf_;
    size_t cap_;
    size_t len_ = 0;
};

// Widths and precisions beyond this are clamped rather than overflowing.
constexpr int kMaxWidth = 1 << 20;

int decimal_step(int value, char digit)
{
    int next = value * 10 + (digit - '0');
    return next > kMaxWidth ? kMaxWidth : next;
}

struct Spec {
    bool left = false;
    bool zero = false;
    bool alt = false;   // '#': 0x prefix for hex
    int width = 0;
    int precision = -1;
};

void emit_padded(Out& out, const Spec& spec, const char* text, int len, const char* prefix = "")
{
    int prefix_len = 0;
    while (prefix[prefix_len]) ++prefix_len;
    int pad = spec.width - len - prefix_len;
    if (pad < 0) pad = 0;
    if (!spec.left && !spec.zero) out.repeat(' ', pad);
    for (int i = 0; i < prefix_len; ++i) out.put(prefix[i]);
    if (!spec.left && spec.zero) out.repeat('0', pad);
    for (int i = 0; i < len; ++i) out.put(text[i]);
    if (spec.left) out.repeat(' ', pad);
}

void emit_unsigned(Out& out, const Spec& spec, uint64_t v, unsigned base, bool upper, const char* prefix)
{
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    char text[24];
    for (int i = 0; i < n; ++i) text[i] = tmp[n - 1 - i];
    emit_padded(out, spec, text, n, prefix);
}

} // namespace

size_t vformat(char* buf, size_t cap, const char* fmt, va_list args)
{
    Out out(buf, cap);
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        Spec spec;
        for (++p;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else if (*p == '#') spec.alt = true;
            else break;
        }
        if (*p == '*') {
            // printf: a negative '*' width means '-' with its magnitude.
            int w = va_arg(args, int);
            if (w < 0) spec.left = true;
            spec.width = w < 0 ? (w < -kMaxWidth ? kMaxWidth : -w) : (w > kMaxWidth ? kMaxWidth : w);
            ++p;
        } else {
            for (; *p >= '0' && *p <= '9'; ++p) spec.width = decimal_step(spec.width, *p);
        }
        if (*p == '.') {
            spec.precision = 0;
            if (p[1] == '*') {
                // printf: a negative '*' precision is as if none was given.
                int prec = va_arg(args, int);
                spec.precision = prec < 0 ? -1 : prec;
                p += 2;
            } else {
                for (++p; *p >= '0' && *p <= '9'; ++p) spec.precision = decimal_step(spec.precision, *p);
            }
        }
        int longness = 0;
        for (; *p == 'l' || *p == 'z'; ++p) longness = (*p == 'z') ? 2 : longness + 1;

        auto take_unsigned = [&]() -> uint64_t {
            if (longness >= 2) return va_arg(args, unsigned long long);
            if (longness == 1) return va_arg(args, unsigned long);
            return va_arg(args, unsigned);
        };
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = longness >= 2 ? va_arg(args, long long)
                        : longness == 1 ? va_arg(args, long)
                                        : va_arg(args, int);
            uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
            emit_unsigned(out, spec, mag, 10, false, v < 0 ? "-" : "");
            break;
        }
        case 'u': emit_unsigned(out, spec, take_unsigned(), 10, false, ""); break;
        case 'x': emit_unsigned(out, spec, take_unsigned(), 16, false, spec.alt ? "0x" : ""); break;
        case 'X': emit_unsigned(out, spec, take_unsigned(), 16, true, spec.alt ? "0X" : ""); break;
        case 'o': emit_unsigned(out, spec, take_unsigned(), 8, false, ""); break;
        case 'p': {
            Spec ptr_spec = spec;
            ptr_spec.zero = true;
            ptr_spec.width = spec.width ? spec.width : 18;
            emit_unsigned(out, ptr_spec, uintptr_t(va_arg(args, void*)), 16, false, "0x");
            break;
        }
        case 'c': {
            char c = char(va_arg(args, int));
            emit_padded(out, spec, &c, 1);
            break;
        }
        case 's': {
            const char* s = va_arg(args, const char*);
            if (!s) s = "(null)";
            int len = 0;
            // Precision first: "%.4s" may be given an array without a NUL.
            while ((spec.precision < 0 || len < spec.precision) && s[len]) ++len;
            emit_padded(out, spec, s, len);
            break;
        }
        case '%': out.put('%'); break;
        case '\0': --p; break; // a lone '%' at the end prints nothing
        default:
            // Unknown conversions are shown, not swallowed, so mistakes are visible.
            out.put('%');
            out.put(*p);
            break;
        }
    }
    return out.finish();
}

size_t format(char* buf, size_t cap, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(buf, cap, fmt, args);
    va_end(args);
    return n;
}

} // namespace atoll_os
