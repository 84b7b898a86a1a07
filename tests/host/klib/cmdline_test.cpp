// Kernel command line: key=value words, bare flags and comma lists, as the
// boot core reads "test=..." and "probe" from what QEMU or GRUB passed.
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "percpu/cmdline.hpp"

namespace atoll_os::klib_test {
namespace {

// cmdline_value into a buffer of exactly `cap` bytes (ASan-checked).
struct Value {
    bool found;
    std::string text;
};
Value value_of(const char* cmdline, const char* key, size_t cap = 64)
{
    auto buf = std::make_unique<char[]>(cap ? cap : 1);
    std::memset(buf.get(), '#', cap ? cap : 1);
    bool found = cmdline_value(cmdline, key, buf.get(), cap);
    if (!found) return {false, ""};
    EXPECT_NE(std::memchr(buf.get(), '\0', cap), nullptr) << "value not NUL-terminated within cap";
    return {true, std::string(buf.get())};
}

std::vector<std::string> items_of(const char* list)
{
    std::vector<std::string> out;
    for_each_list_item(list, [&](const char* s, size_t len) { out.emplace_back(s, len); });
    return out;
}

TEST(KlibCmdline, ValueOfKeyAtStart)
{
    Value v = value_of("test=all console=ttyS0", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "all");
}

TEST(KlibCmdline, ValueOfKeyInMiddle)
{
    Value v = value_of("a=1 test=alloc,free b=2", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "alloc,free");
}

TEST(KlibCmdline, ValueOfKeyAtEnd)
{
    Value v = value_of("a=1 probe test=smp", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "smp");
}

TEST(KlibCmdline, QemuKernelPathAsFirstWordIsSkipped)
{
    const char* cmdline = "build/kernel/atoll.mb test=all";
    Value v = value_of(cmdline, "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "all");
    EXPECT_FALSE(cmdline_has(cmdline, "probe"));
    EXPECT_FALSE(cmdline_has(cmdline, "build"));
    EXPECT_FALSE(cmdline_has(cmdline, "atoll.mb"));
    EXPECT_TRUE(cmdline_has(cmdline, "build/kernel/atoll.mb"));
}

TEST(KlibCmdline, KeyThatIsPrefixOfAnotherWordDoesNotMatch)
{
    EXPECT_FALSE(value_of("testing=yes", "test").found);
    EXPECT_FALSE(cmdline_has("testing", "test"));
    EXPECT_FALSE(cmdline_has("testing=yes", "test"));
    Value v = value_of("testing=no test=yes", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "yes");
}

TEST(KlibCmdline, KeyThatIsSuffixOfAnotherWordDoesNotMatch)
{
    EXPECT_FALSE(value_of("mytest=1", "test").found);
    EXPECT_FALSE(cmdline_has("unittest", "test"));
}

TEST(KlibCmdline, LongerKeyDoesNotMatchShorterWord)
{
    EXPECT_FALSE(cmdline_has("test", "testing"));
    EXPECT_FALSE(value_of("test=1", "testing").found);
}

TEST(KlibCmdline, BareFlagIsPresentButHasNoValue)
{
    EXPECT_TRUE(cmdline_has("quiet probe", "probe"));
    EXPECT_FALSE(value_of("quiet probe", "probe").found);
}

TEST(KlibCmdline, KeyValueWordCountsAsFlag)
{
    EXPECT_TRUE(cmdline_has("probe=1", "probe"));
    EXPECT_TRUE(cmdline_has("a=b probe=", "probe"));
}

TEST(KlibCmdline, EmptyValueIsFoundAndEmpty)
{
    Value v = value_of("test= probe", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "");
    v = value_of("test=", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "");
}

TEST(KlibCmdline, ValueKeepsLaterEqualsSigns)
{
    Value v = value_of("opt=a=b", "opt");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "a=b");
}

TEST(KlibCmdline, FirstOccurrenceWins)
{
    EXPECT_EQ(value_of("test=one test=two", "test").text, "one");
}

TEST(KlibCmdline, ValueIsTruncatedToCap)
{
    Value v = value_of("test=abcdefghij", "test", 5);
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "abcd");
}

TEST(KlibCmdline, ValueThatExactlyFitsIsComplete)
{
    EXPECT_EQ(value_of("test=abcd", "test", 5).text, "abcd");
}

TEST(KlibCmdline, CapOneGivesEmptyValue)
{
    Value v = value_of("test=all", "test", 1);
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "");
}

TEST(KlibCmdline, CapZeroWritesNothing)
{
    char sentinel = '#';
    EXPECT_FALSE(cmdline_value("test=all", "test", &sentinel, 0));
    EXPECT_EQ(sentinel, '#');
}

TEST(KlibCmdline, TabsSeparateWords)
{
    const char* cmdline = "quiet\ttest=all\t\tprobe";
    Value v = value_of(cmdline, "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "all");
    EXPECT_TRUE(cmdline_has(cmdline, "probe"));
    EXPECT_TRUE(cmdline_has(cmdline, "quiet"));
}

TEST(KlibCmdline, ValueEndsAtTab)
{
    EXPECT_EQ(value_of("test=all\tprobe", "test").text, "all");
}

TEST(KlibCmdline, LeadingTrailingAndRepeatedSpacesAreIgnored)
{
    const char* cmdline = "   test=all    probe   ";
    EXPECT_EQ(value_of(cmdline, "test").text, "all");
    EXPECT_TRUE(cmdline_has(cmdline, "probe"));
    EXPECT_FALSE(cmdline_has(cmdline, "all"));
}

TEST(KlibCmdline, EmptyCommandLineHasNothing)
{
    EXPECT_FALSE(cmdline_has("", "probe"));
    EXPECT_FALSE(value_of("", "test").found);
    EXPECT_FALSE(cmdline_has("   \t ", "probe"));
    EXPECT_FALSE(value_of(" \t", "test").found);
}

TEST(KlibCmdline, ValueIsNotAKey)
{
    EXPECT_FALSE(cmdline_has("test=probe", "probe"));
    EXPECT_FALSE(value_of("a=test=1", "test").found);
}

TEST(KlibCmdline, ListItemsAreVisitedInOrder)
{
    EXPECT_EQ(items_of("alloc,free,smp"), (std::vector<std::string>{"alloc", "free", "smp"}));
    EXPECT_EQ(items_of("all"), (std::vector<std::string>{"all"}));
}

TEST(KlibCmdline, EmptyListItemsAreSkipped)
{
    EXPECT_TRUE(items_of("").empty());
    EXPECT_TRUE(items_of(",").empty());
    EXPECT_TRUE(items_of(",,,").empty());
    EXPECT_EQ(items_of(",a,,b,"), (std::vector<std::string>{"a", "b"}));
}

TEST(KlibCmdline, ListItemsAreNotNulTerminatedSlices)
{
    const char* list = "one,two";
    std::vector<std::pair<const char*, size_t>> seen;
    for_each_list_item(list, [&](const char* s, size_t len) { seen.emplace_back(s, len); });
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].first, list);
    EXPECT_EQ(seen[0].second, 3u);
    EXPECT_EQ(seen[1].first, list + 4);
    EXPECT_EQ(seen[1].second, 3u);
}

TEST(KlibCmdline, ListContainsWholeItemsOnly)
{
    EXPECT_TRUE(list_contains("alloc,free,smp", "alloc"));
    EXPECT_TRUE(list_contains("alloc,free,smp", "free"));
    EXPECT_TRUE(list_contains("alloc,free,smp", "smp"));
    EXPECT_FALSE(list_contains("alloc,free,smp", "all"));
    EXPECT_FALSE(list_contains("alloc,free,smp", "alloc,free"));
    EXPECT_FALSE(list_contains("allocator", "alloc"));
    EXPECT_FALSE(list_contains("alloc", "allocator"));
}

TEST(KlibCmdline, ListContainsNeverMatchesEmptyItem)
{
    EXPECT_FALSE(list_contains("", ""));
    EXPECT_FALSE(list_contains("a,,b", ""));
    EXPECT_FALSE(list_contains("", "all"));
}

TEST(KlibCmdline, TestFilterFromCommandLine)
{
    // The boot core's path: value of test=, then list membership.
    Value v = value_of("build/kernel/atoll.mb test=alloc_free,all", "test", 512);
    ASSERT_TRUE(v.found);
    EXPECT_TRUE(list_contains(v.text.c_str(), "all"));
    EXPECT_TRUE(list_contains(v.text.c_str(), "alloc_free"));
    EXPECT_FALSE(list_contains(v.text.c_str(), "alloc"));
}

} // namespace
TEST(KlibCmdline, ValueFoundAfterABareWordOfTheSameName)
{
    // "test test=all": the bare flag must not hide the key=value word.
    Value v = value_of("test test=all", "test");
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.text, "all");
    EXPECT_TRUE(cmdline_has("test test=all", "test"));
}

TEST(KlibCmdline, EmptyKeyMatchesNothing)
{
    EXPECT_FALSE(value_of("a=1 ", "").found);
    EXPECT_FALSE(cmdline_has("a=1 ", ""));
}

} // namespace atoll_os::klib_test
