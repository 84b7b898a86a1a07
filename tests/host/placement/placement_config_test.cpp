// Tests for the placement config parser: every key, boot.cfg compatibility, and each error with its line.
#include "tests/host/placement/placement_support.hpp"

namespace atoll_os::placement_test {
namespace {

TEST(PlacementConfig, ParsesEveryKey)
{
    auto p = parse(R"(# services
[program net]
core = 0,2
talks = disk, log   # both ways
[program disk]
node = 1
spread = package
[program log]
near = net
core = 4-7
[program idle]
)");
    ASSERT_TRUE(p->ok) << p->diag.all();
    const Request& r = *p->request;
    ASSERT_EQ(r.program_count, 4u);
    EXPECT_STREQ(r.file, "boot.cfg");

    const ProgramRequest& net = r.programs[0];
    EXPECT_STREQ(net.name, "net");
    EXPECT_EQ(net.line, 2u);
    EXPECT_EQ(net.core_line, 3u);
    EXPECT_EQ(net.cores.count(), 2u);
    EXPECT_TRUE(net.cores.has(0));
    EXPECT_TRUE(net.cores.has(2));
    ASSERT_EQ(net.talk_count, 2u);
    EXPECT_STREQ(net.talks[0], "disk");
    EXPECT_STREQ(net.talks[1], "log");
    EXPECT_EQ(net.talks_line, 4u);
    EXPECT_EQ(net.spread, Spread::kNone);

    const ProgramRequest& disk = r.programs[1];
    EXPECT_EQ(disk.node, 1u);
    EXPECT_EQ(disk.node_line, 6u);
    EXPECT_EQ(disk.spread, Spread::kPackage);
    EXPECT_EQ(disk.spread_line, 7u);
    EXPECT_EQ(disk.core_line, 0u);

    const ProgramRequest& log = r.programs[2];
    EXPECT_STREQ(log.near, "net");
    EXPECT_EQ(log.near_line, 9u);
    EXPECT_EQ(log.cores.count(), 4u);
    EXPECT_EQ(log.cores.first(), 4u);

    const ProgramRequest& idle = r.programs[3];
    EXPECT_EQ(idle.core_line + idle.node_line + idle.near_line + idle.spread_line + idle.talks_line, 0u);
    EXPECT_EQ(r.index_of("log"), 2);
    EXPECT_EQ(r.index_of("nobody"), -1);
}

TEST(PlacementConfig, AcceptsBootConfigKeysAndCrlf)
{
    auto p = parse("[program root]\r\nimage = root.elf\r\ncore = 0x3\r\npriority = 200\r\nargs = --x=#1 -v\r\n"
                   "caps = log, irq:4\r\nmemory = 8M\r\nserver = rootsrv\r\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    ASSERT_EQ(p->request->program_count, 1u);
    EXPECT_TRUE(p->request->programs[0].cores.has(3));
    EXPECT_EQ(p->request->programs[0].cores.count(), 1u);
}

TEST(PlacementConfig, SpreadValues)
{
    auto p = parse("[program a]\nspread = node\n[program b]\nspread = l3\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(p->request->programs[0].spread, Spread::kNode);
    EXPECT_EQ(p->request->programs[1].spread, Spread::kL3);
    EXPECT_STREQ(spread_name(Spread::kL3), "l3");
}

struct BadCase {
    const char* name;
    const char* text;
    const char* message;  // substring of some report
};

// CTest names value-parameterized tests by the printed value: print the name.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class PlacementConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(PlacementConfigErrors, ReportsLineAndReason)
{
    auto p = parse(GetParam().text);
    EXPECT_FALSE(p->ok);
    EXPECT_TRUE(p->diag.mentions(GetParam().message)) << "reports:\n" << p->diag.all();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlacementConfigErrors,
    ::testing::Values(
        BadCase{"unknown_key", "[program a]\ncolour = red\n", "boot.cfg:2: unknown key 'colour'"},
        BadCase{"outside_section", "core = 1\n", "boot.cfg:1: core = 1: key outside a section"},
        BadCase{"duplicate_key", "[program a]\ncore = 1\ncore = 2\n", "boot.cfg:3: duplicate key 'core' in [program a] (first at line 2)"},
        BadCase{"backward_range", "[program a]\ncore = 3-1\n", "boot.cfg:2: core = 3-1: '3-1' is not a core number or range"},
        BadCase{"empty_list_item", "[program a]\ncore = 1,,2\n", "boot.cfg:2: core = 1,,2: '' is not a core number"},
        BadCase{"core_too_large", "[program a]\ncore = 256\n", "'256' is not a core number or range below 256"},
        BadCase{"bad_node", "[program a]\nnode = x\n", "boot.cfg:2: node = x: expected a NUMA node number below 64"},
        BadCase{"bad_spread", "[program a]\nspread = rack\n", "boot.cfg:2: spread = rack: expected package, node or l3"},
        BadCase{"near_unknown", "[program a]\nnear = b\n", "boot.cfg:2: [program a] near = b: no [program b] in this file"},
        BadCase{"near_self", "[program a]\nnear = a\n", "boot.cfg:2: [program a] near = a: a program cannot be near itself"},
        BadCase{"talks_unknown", "[program a]\ntalks = b\n", "boot.cfg:2: [program a] talks: no [program b] in this file"},
        BadCase{"talks_self", "[program a]\ntalks = a\n", "a program does not talk to itself"},
        BadCase{"talks_twice", "[program a]\n[program b]\ntalks = a, a\n", "boot.cfg:3: talks: 'a' listed twice"},
        BadCase{"talks_empty_entry", "[program a]\n[program b]\ntalks = a,\n", "boot.cfg:3: talks: entry 2 is empty"},
        BadCase{"duplicate_program", "[program a]\n[program a]\n", "boot.cfg:2: [program a]: duplicate program name (first at line 1)"},
        BadCase{"bad_program_name", "[program A]\n", "boot.cfg:1: program name 'A' has 'A'"},
        BadCase{"not_a_program_section", "[server a]\n", "boot.cfg:1: [server a]: expected [program NAME]"},
        BadCase{"not_a_setting", "[program a]\njust words\n", "boot.cfg:2: 'just words': expected 'key = value'"},
        BadCase{"not_ascii", "[program a]\nnear = \xff\n", "boot.cfg:2: byte 0xff at column 8 is not printable ASCII"}));

TEST(PlacementConfig, ReportsEveryError)
{
    auto p = parse("[program a]\nspread = x\nnode = y\n");
    EXPECT_FALSE(p->ok);
    EXPECT_EQ(p->diag.messages.size(), 2u) << p->diag.all();
}

TEST(PlacementConfig, TooManyPrograms)
{
    std::string text;
    for (unsigned i = 0; i <= kMaxPrograms; ++i) text += "[program p" + std::to_string(i) + "]\n";
    auto p = parse(text);
    EXPECT_FALSE(p->ok);
    EXPECT_TRUE(p->diag.mentions("more than 64 programs")) << p->diag.all();
}

TEST(PlacementConfig, LongFileNameKeepsTheEnd)
{
    const std::string dir(100, 'd');
    auto p = parse("[program a]\nbad\n", (dir + "/boot.cfg").c_str());
    EXPECT_FALSE(p->ok);
    EXPECT_TRUE(p->diag.mentions("/boot.cfg:2:")) << p->diag.all();
    EXPECT_LT(std::strlen(p->request->file), kFileMax);
}

} // namespace
} // namespace atoll_os::placement_test
