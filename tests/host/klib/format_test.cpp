// vformat/format: the kernel's printf. Where the kernel documents printf
// behaviour it is compared against the host's snprintf; the deliberate
// differences (%p, '#' on zero) are pinned explicitly.
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "kernel/lib/format.hpp"

namespace atoll_os::klib_test {
namespace {

struct Formatted {
    std::string text;  // what landed in the buffer, up to the NUL
    size_t length;     // what vformat returned
};

// No format attribute on purpose: lets tests pass format strings the
// compiler would reject (unknown conversions, a trailing '%').
Formatted vf(size_t cap, const char* fmt, ...)
{
    std::string buf(cap + 16, '\x7f');
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(buf.data(), cap, fmt, args);
    va_end(args);
    return {std::string(buf.c_str()), n};
}

// Same literal format and arguments through format() and snprintf().
#define EXPECT_LIKE_LIBC(fmt, ...)                                                         \
    do {                                                                                   \
        char ours_[256];                                                                   \
        char libc_[256];                                                                   \
        size_t ours_n_ = ::atoll_os::format(ours_, sizeof ours_, fmt __VA_OPT__(, ) __VA_ARGS__); \
        int libc_n_ = std::snprintf(libc_, sizeof libc_, fmt __VA_OPT__(, ) __VA_ARGS__);  \
        EXPECT_STREQ(ours_, libc_) << "format \"" << fmt << "\"";                          \
        EXPECT_EQ(ours_n_, static_cast<size_t>(libc_n_)) << "format \"" << fmt << "\"";    \
    } while (0)

TEST(KlibFormat, PlainTextIsCopiedAndLengthReturned)
{
    char buf[32];
    EXPECT_EQ(format(buf, sizeof buf, "hello, kernel"), 13u);
    EXPECT_STREQ(buf, "hello, kernel");
    EXPECT_EQ(format(buf, sizeof buf, ""), 0u);
    EXPECT_STREQ(buf, "");
}

TEST(KlibFormat, SignedDecimalMatchesLibc)
{
    EXPECT_LIKE_LIBC("%d", 0);
    EXPECT_LIKE_LIBC("%d", 42);
    EXPECT_LIKE_LIBC("%d", -42);
    EXPECT_LIKE_LIBC("%i", -7);
    EXPECT_LIKE_LIBC("%d %d", INT_MAX, INT_MIN);
    EXPECT_LIKE_LIBC("%i|%i", INT_MIN, -1);
}

TEST(KlibFormat, LongSignedIncludingInt64MinMatchesLibc)
{
    EXPECT_LIKE_LIBC("%ld", long{-1234567890123});
    EXPECT_LIKE_LIBC("%lld", static_cast<long long>(INT64_MIN));
    EXPECT_LIKE_LIBC("%lld", static_cast<long long>(INT64_MAX));
    EXPECT_LIKE_LIBC("%ld", static_cast<long>(INT64_MIN));
    EXPECT_LIKE_LIBC("%li", static_cast<long>(INT64_MIN + 1));
    EXPECT_LIKE_LIBC("%zd", static_cast<ptrdiff_t>(-5));
}

TEST(KlibFormat, Int64MinIsPrintedExactly)
{
    char buf[32];
    format(buf, sizeof buf, "%lld", static_cast<long long>(INT64_MIN));
    EXPECT_STREQ(buf, "-9223372036854775808");
}

TEST(KlibFormat, UnsignedWithLengthModifiersMatchesLibc)
{
    EXPECT_LIKE_LIBC("%u", 0u);
    EXPECT_LIKE_LIBC("%u", UINT_MAX);
    EXPECT_LIKE_LIBC("%lu", ULONG_MAX);
    EXPECT_LIKE_LIBC("%llu", static_cast<unsigned long long>(UINT64_MAX));
    EXPECT_LIKE_LIBC("%zu", SIZE_MAX);
    EXPECT_LIKE_LIBC("%zu", size_t{4096});
}

TEST(KlibFormat, IntArgumentIsNotWidenedWithGarbage)
{
    // A 32-bit %u/%x must read exactly an unsigned int even after a 64-bit one.
    EXPECT_LIKE_LIBC("%llx %x %u", 0xffffffff00000000ull, 0xdeadbeefu, 7u);
    EXPECT_LIKE_LIBC("%x", static_cast<unsigned>(-1));
}

TEST(KlibFormat, HexMatchesLibc)
{
    EXPECT_LIKE_LIBC("%x", 0xdeadbeefu);
    EXPECT_LIKE_LIBC("%X", 0xdeadbeefu);
    EXPECT_LIKE_LIBC("%lx", 0x123456789abcdef0ul);
    EXPECT_LIKE_LIBC("%llX", 0xfedcba9876543210ull);
    EXPECT_LIKE_LIBC("%x", 0u);
}

TEST(KlibFormat, AltHexAddsPrefixMatchingLibcForNonZero)
{
    EXPECT_LIKE_LIBC("%#x", 0x2badb002u);
    EXPECT_LIKE_LIBC("%#X", 0xabcu);
    EXPECT_LIKE_LIBC("%#lx", 0xffffffff80000000ul);
    EXPECT_LIKE_LIBC("%#llx", 0x1000ull);
    EXPECT_LIKE_LIBC("%#10x", 0xbeefu);
    EXPECT_LIKE_LIBC("%#010x", 0xbeefu);
    EXPECT_LIKE_LIBC("%-#10x|", 0xbeefu);
}

TEST(KlibFormat, AltHexKeepsPrefixOnZeroUnlikeLibc)
{
    // Deliberate: "flags 0x0" in a diagnostic reads better than "flags 0".
    char buf[16];
    format(buf, sizeof buf, "%#x", 0u);
    EXPECT_STREQ(buf, "0x0");
}

TEST(KlibFormat, OctalMatchesLibc)
{
    EXPECT_LIKE_LIBC("%o", 0u);
    EXPECT_LIKE_LIBC("%o", 8u);
    EXPECT_LIKE_LIBC("%o", 0755u);
    EXPECT_LIKE_LIBC("%llo", static_cast<unsigned long long>(UINT64_MAX)); // 22 digits, the longest number
}

TEST(KlibFormat, CharMatchesLibc)
{
    EXPECT_LIKE_LIBC("%c", 'A');
    EXPECT_LIKE_LIBC("[%3c]", 'x');
    EXPECT_LIKE_LIBC("[%-3c]", 'x');
}

TEST(KlibFormat, NulCharIsWrittenAndCounted)
{
    char buf[8];
    std::memset(buf, 'z', sizeof buf);
    EXPECT_EQ(format(buf, sizeof buf, "a%cb", 0), 3u);
    EXPECT_EQ(buf[0], 'a');
    EXPECT_EQ(buf[1], '\0');
    EXPECT_EQ(buf[2], 'b');
    EXPECT_EQ(buf[3], '\0');
}

TEST(KlibFormat, StringMatchesLibc)
{
    EXPECT_LIKE_LIBC("%s", "");
    EXPECT_LIKE_LIBC("%s", "atoll");
    EXPECT_LIKE_LIBC("[%8s]", "atoll");
    EXPECT_LIKE_LIBC("[%-8s]", "atoll");
    EXPECT_LIKE_LIBC("[%3s]", "atoll");
    EXPECT_LIKE_LIBC("%s=%s", "test", "all");
}

TEST(KlibFormat, StringPrecisionLimitsCharactersLikeLibc)
{
    EXPECT_LIKE_LIBC("[%.3s]", "atoll");
    EXPECT_LIKE_LIBC("[%.0s]", "atoll");
    EXPECT_LIKE_LIBC("[%.10s]", "atoll");
    EXPECT_LIKE_LIBC("[%6.2s]", "atoll");
    EXPECT_LIKE_LIBC("[%-6.2s]", "atoll");
    EXPECT_LIKE_LIBC("[%.4s]", "APIC");
}

TEST(KlibFormat, StringPrecisionNeverReadsPastPrecision)
{
    // "%.4s" on a 4-byte ACPI signature: the array has no NUL, and the
    // byte after it may be unmapped. ASan flags any read of sig[4].
    auto sig = std::make_unique<char[]>(4);
    std::memcpy(sig.get(), "FACP", 4);
    char buf[16];
    EXPECT_EQ(format(buf, sizeof buf, "%.4s", sig.get()), 4u);
    EXPECT_STREQ(buf, "FACP");
}

TEST(KlibFormat, NullStringPrintsNullMarker)
{
    const char* none = nullptr;
    char buf[16];
    EXPECT_EQ(format(buf, sizeof buf, "%s", none), 6u);
    EXPECT_STREQ(buf, "(null)");
}

TEST(KlibFormat, StarWidthAndPrecisionTakeIntArguments)
{
    // kernel/test/ktest.cpp prints list items with "%.*s".
    const char item[] = "alloc_free,other";
    EXPECT_LIKE_LIBC("KTEST FAIL %.*s core=%u no such test", 10, item, 3u);
    EXPECT_LIKE_LIBC("[%*d]", 6, 42);
    EXPECT_LIKE_LIBC("[%-*d]", 6, 42);
    EXPECT_LIKE_LIBC("[%*.*s]", 7, 3, "atoll");
    EXPECT_LIKE_LIBC("[%0*x]", 8, 0xbeefu);
}

TEST(KlibFormat, NegativeStarWidthLeftJustifiesLikeLibc)
{
    EXPECT_LIKE_LIBC("[%*d]", -6, 42);
    EXPECT_LIKE_LIBC("[%*s]", -6, "ab");
}

TEST(KlibFormat, NegativeStarPrecisionIsIgnoredLikeLibc)
{
    EXPECT_LIKE_LIBC("[%.*s]", -1, "atoll");
}

TEST(KlibFormat, HugeWidthIsClampedInsteadOfOverflowing)
{
    // A typo'd width must not be signed overflow (UBSan) or a negative pad.
    Formatted f = vf(8, "%99999999999d|", 1);
    EXPECT_GT(f.length, 1000u);
    EXPECT_EQ(f.text, "       ");
    EXPECT_EQ(vf(8, "[%.99999999999s]", "ab").text, "[ab]");
}

TEST(KlibFormat, PointerIsZeroPaddedSixteenDigits)
{
    char buf[32];
    EXPECT_EQ(format(buf, sizeof buf, "%p", reinterpret_cast<void*>(0xffffffff80001234ull)), 18u);
    EXPECT_STREQ(buf, "0xffffffff80001234");
    format(buf, sizeof buf, "%p", reinterpret_cast<void*>(0x1000));
    EXPECT_STREQ(buf, "0x0000000000001000");
}

TEST(KlibFormat, NullPointerIsAllZeroes)
{
    char buf[32];
    void* none = nullptr;
    format(buf, sizeof buf, "%p", none);
    EXPECT_STREQ(buf, "0x0000000000000000");
}

TEST(KlibFormat, PointerWidthOverridesDefault)
{
    char buf[32];
    format(buf, sizeof buf, "%10p", reinterpret_cast<void*>(0xabc));
    EXPECT_STREQ(buf, "0x00000abc");
}

TEST(KlibFormat, PercentPercentIsOnePercent)
{
    EXPECT_LIKE_LIBC("100%%");
    EXPECT_LIKE_LIBC("%%d %d%%", 5);
}

TEST(KlibFormat, WidthPadsWithSpacesOnTheLeft)
{
    EXPECT_LIKE_LIBC("[%5d]", 42);
    EXPECT_LIKE_LIBC("[%5d]", -42);
    EXPECT_LIKE_LIBC("[%5u]", 123456u);  // narrower width than the number
    EXPECT_LIKE_LIBC("[%20llu]", static_cast<unsigned long long>(UINT64_MAX));
}

TEST(KlibFormat, MinusFlagPadsOnTheRight)
{
    EXPECT_LIKE_LIBC("[%-5d]", 42);
    EXPECT_LIKE_LIBC("[%-5d]", -42);
    EXPECT_LIKE_LIBC("[%-8x]", 0xabcu);
}

TEST(KlibFormat, ZeroFlagPadsAfterSignAndPrefix)
{
    EXPECT_LIKE_LIBC("[%05d]", 42);
    EXPECT_LIKE_LIBC("[%05d]", -42);
    EXPECT_LIKE_LIBC("[%08x]", 0xbeefu);
    EXPECT_LIKE_LIBC("[%016lx]", 0xffff800000000000ul);
    EXPECT_LIKE_LIBC("[%06llu]", 1234ull);
    EXPECT_LIKE_LIBC("[%03lu]", 7ul);
    EXPECT_LIKE_LIBC("[%02x]", 0xau);
    EXPECT_LIKE_LIBC("[%#06x]", 0xau);
}

TEST(KlibFormat, MinusFlagWinsOverZeroFlag)
{
    // printf ignores '0' with '-'; the compiler rejects the literal, so
    // this goes through the unchecked helper.
    EXPECT_EQ(vf(32, "[%-05d]", 42).text, "[42   ]");
    EXPECT_EQ(vf(32, "[%0-5d]", -4).text, "[-4   ]");
}

TEST(KlibFormat, ReturnsFullLengthWhenTruncated)
{
    Formatted f = vf(8, "%s and more", "something long");
    EXPECT_EQ(f.length, std::strlen("something long and more"));
    EXPECT_EQ(f.text, "somethi");
}

TEST(KlibFormat, TruncationMatchesLibc)
{
    char ours[6];
    char libc[6];
    size_t n = format(ours, sizeof ours, "%08x|%s", 0xbeefu, "tail");
    int m = std::snprintf(libc, sizeof libc, "%08x|%s", 0xbeefu, "tail");
    EXPECT_EQ(n, static_cast<size_t>(m));
    EXPECT_STREQ(ours, libc);
}

TEST(KlibFormat, TruncatedOutputIsNulTerminatedInsideCap)
{
    for (size_t cap = 1; cap <= 12; ++cap) {
        std::string buf(cap + 4, '#');
        size_t n = format(buf.data(), cap, "%d-%s", -12345, "abcdef");
        EXPECT_EQ(n, 13u) << "cap " << cap;
        EXPECT_EQ(buf[cap - 1], '\0') << "cap " << cap;
        EXPECT_EQ(std::strlen(buf.c_str()), cap - 1) << "cap " << cap;
        EXPECT_EQ(buf.substr(cap, 4), "####") << "wrote past cap " << cap;
        EXPECT_EQ(std::string(buf.c_str()), std::string("-12345-abcdef").substr(0, cap - 1));
    }
}

TEST(KlibFormat, ExactFitNeedsRoomForTheNul)
{
    char buf[8];
    EXPECT_EQ(format(buf, 5, "abcde"), 5u);
    EXPECT_STREQ(buf, "abcd");
    EXPECT_EQ(format(buf, 6, "abcde"), 5u);
    EXPECT_STREQ(buf, "abcde");
}

TEST(KlibFormat, CapZeroWritesNothing)
{
    char buf[4] = {'x', 'y', 'z', 'w'};
    EXPECT_EQ(format(buf, 0, "%s %d", "hello", 42), 8u);
    EXPECT_EQ(std::memcmp(buf, "xyzw", 4), 0);
}

TEST(KlibFormat, CapZeroWithNullBufferMeasures)
{
    EXPECT_EQ(format(nullptr, 0, "%s=%u", "cores", 64u), 8u);
}

TEST(KlibFormat, CapOneWritesOnlyTheNul)
{
    char buf[4] = {'x', 'y', 'z', 'w'};
    EXPECT_EQ(format(buf, 1, "%s", "hello"), 5u);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'y');
}

TEST(KlibFormat, TruncationInsidePaddingStaysInBounds)
{
    auto buf = std::make_unique<char[]>(4);
    EXPECT_EQ(format(buf.get(), 4, "%40d", 1), 40u);
    EXPECT_STREQ(buf.get(), "   ");
    EXPECT_EQ(format(buf.get(), 4, "%-40s|", "x"), 41u);
    EXPECT_STREQ(buf.get(), "x  ");
}

TEST(KlibFormat, UnknownConversionIsShownLiterally)
{
    Formatted f = vf(32, "a%qb");
    EXPECT_EQ(f.text, "a%qb");
    EXPECT_EQ(f.length, 4u);
}

TEST(KlibFormat, UnknownConversionConsumesNoArgument)
{
    EXPECT_EQ(vf(32, "%q %d %s", 7, "x").text, "%q 7 x");
}

TEST(KlibFormat, TrailingLonePercentPrintsNothing)
{
    Formatted f = vf(32, "abc%");
    EXPECT_EQ(f.text, "abc");
    EXPECT_EQ(f.length, 3u);
}

TEST(KlibFormat, TrailingIncompleteSpecPrintsNothing)
{
    EXPECT_EQ(vf(32, "abc%-").text, "abc");
    EXPECT_EQ(vf(32, "abc%08").text, "abc");
    EXPECT_EQ(vf(32, "abc%.").text, "abc");
    EXPECT_EQ(vf(32, "abc%ll").text, "abc");
    EXPECT_EQ(vf(32, "abc%z").text, "abc");
    EXPECT_EQ(vf(32, "%").length, 0u);
}

TEST(KlibFormat, MixedConversionsMatchLibc)
{
    EXPECT_LIKE_LIBC("multiboot: module %u ends (%#x) before it starts (%#x)", 3u, 0x1000u, 0x2000u);
    EXPECT_LIKE_LIBC("[c%u +%lu.%06llu] %s", 2u, 17ul, 1234ull, "online");
    EXPECT_LIKE_LIBC("%c%c%c %5.1s|%-4d|%X", 'a', 'b', 'c', "zz", -3, 255u);
}

} // namespace
} // namespace atoll_os::klib_test
