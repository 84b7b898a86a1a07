// Tests for boot.cfg parsing: the documented example, defaults, and every error with its file:line.
#include "runtime/lib/boot_config.hpp"

#include <sstream>

#include "tests/host/runtime/runtime_test_support.hpp"

namespace atoll_os::test {
namespace {

using bootcfg::CapKind;
using bootcfg::CapRequest;
using bootcfg::Config;
using bootcfg::Program;
using bootcfg::Spread;

struct Parsed {
    bool ok;
    std::unique_ptr<Config> config;  // 70 KB: too big for a test's stack frame
    RecordingDiag diag;

    const Program& operator[](uint32_t i) const { return config->programs[i]; }
    uint32_t count() const { return config->program_count; }
};

// Parses an exact-size, unterminated copy; reports and failure go together.
Parsed parse(const std::string& text, uint32_t cores = 4, const char* file = "boot.cfg")
{
    Parsed p{false, std::make_unique<Config>(), {}};
    const ExactCopy copy(text);
    p.ok = bootcfg::parse(copy.chars(), copy.size(), file, cores, *p.config, p.diag);
    EXPECT_EQ(p.ok, p.diag.messages.empty()) << "reports were:\n" << p.diag.dump();
    return p;
}

// The only report, exactly.
void expect_error(const std::string& text, const std::string& message, uint32_t cores = 4)
{
    const Parsed p = parse(text, cores);
    EXPECT_FALSE(p.ok) << text;
    ASSERT_EQ(p.diag.messages.size(), 1u) << "for:\n" << text << "\nreports were:\n" << p.diag.dump();
    EXPECT_EQ(p.diag.messages[0], message) << "for:\n" << text;
}

void expect_ok(const std::string& text, uint32_t cores = 4)
{
    const Parsed p = parse(text, cores);
    EXPECT_TRUE(p.ok) << text;
}

std::string cap_text(const CapRequest& c)
{
    switch (c.kind) {
    case CapKind::kLog: return "log";
    case CapKind::kMemory: return "memory";
    case CapKind::kIrq: return "irq:" + std::to_string(c.a) + (c.b == c.a ? "" : "!");
    case CapKind::kIoPorts: return "ioport:" + std::to_string(c.a) + "-" + std::to_string(c.b);
    case CapKind::kEndpoint: return std::string("endpoint:") + c.name;
    }
    return "?";
}

// Every field, so whole programs compare in one assertion with a readable diff.
std::string describe(const Program& p)
{
    std::ostringstream s;
    s << "name=" << p.name << " image=" << p.image << " core=" << p.core << " priority=" << unsigned(p.priority)
      << " args=[" << p.args << "] memory=" << p.memory_bytes << " caps=[";
    for (uint32_t i = 0; i < p.cap_count; ++i) {
        s << (i ? "," : "") << cap_text(p.caps[i]);
    }
    s << "] serves=" << p.serves << " line=" << p.line;
    return s.str();
}

// The placement keys, with the lines they were on (0: absent).
std::string describe_placement(const Program& p)
{
    std::ostringstream s;
    s << "core=" << p.core << " cores=[";
    bool first = true;
    for (uint32_t c = 0; c < bootcfg::kMaxCores; ++c) {
        if (p.cores.has(c)) {
            s << (first ? "" : ",") << c;
            first = false;
        }
    }
    s << "]@" << p.core_line << " node=" << p.node << "@" << p.node_line << " near=" << p.near << "@" << p.near_line
      << " spread=" << bootcfg::spread_name(p.spread) << "@" << p.spread_line << " talks=[";
    for (uint32_t i = 0; i < p.talk_count; ++i) {
        s << (i ? "," : "") << p.talks[i];
    }
    s << "]@" << p.talks_line;
    return s.str();
}

std::string repeat(char c, size_t n) { return std::string(n, c); }

// ---- The documented example -------------------------------------------------

TEST(BootConfig, Example)
{
    const Parsed p = parse(load_config("example.cfg"), 2, "boot.cfg");
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.count(), 3u);
    EXPECT_EQ(describe(p[0]), "name=console image=console core=0 priority=200 args=[] memory=2097152 "
                              "caps=[log,ioport:1016-1023,irq:4] serves=console line=4");
    EXPECT_EQ(describe(p[1]), "name=pingpong image=pingpong core=1 priority=100 args=[--rounds=1000 --quiet] "
                              "memory=4194304 caps=[log,endpoint:console] serves=pingpong line=11");
    EXPECT_EQ(describe(p[2]), "name=pinger image=pingpong core=1 priority=90 args=[--client --peer=pingpong] "
                              "memory=16777216 caps=[log,memory,endpoint:pingpong,endpoint:console] serves= "
                              "line=17");
}

TEST(BootConfig, ExampleWithCrlfLineEndings)
{
    const std::string lf = load_config("example.cfg");
    std::string crlf;
    for (char c : lf) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    const Parsed a = parse(lf, 2), b = parse(crlf, 2);
    ASSERT_TRUE(a.ok);
    ASSERT_TRUE(b.ok);
    ASSERT_EQ(a.count(), b.count());
    for (uint32_t i = 0; i < a.count(); ++i) {
        EXPECT_EQ(describe(a[i]), describe(b[i]));
    }
}

TEST(BootConfig, ExampleNeedsTwoCores)
{
    const Parsed p = parse(load_config("example.cfg"), 1);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.diag.messages.size(), 2u) << p.diag.dump();
    EXPECT_REPORTED_EXACTLY(p.diag, "boot.cfg:12: core = 1: this machine has 1 core (0)");
    EXPECT_REPORTED_EXACTLY(p.diag, "boot.cfg:19: core = 1: this machine has 1 core (0)");
}

// ---- Accepted forms ---------------------------------------------------------

TEST(BootConfig, Defaults)
{
    const Parsed p = parse("[program shell]\n");
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.count(), 1u);
    EXPECT_EQ(describe(p[0]), "name=shell image=shell core=0 priority=100 args=[] memory=4194304 caps=[] serves= "
                              "line=1");
}

TEST(BootConfig, EmptyAndCommentOnlyFiles)
{
    for (const char* text : {"", "\n\n", "# nothing to start\n", "   \t\n# a\r\n#b"}) {
        const Parsed p = parse(text);
        EXPECT_TRUE(p.ok) << text;
        EXPECT_EQ(p.count(), 0u);
    }
}

TEST(BootConfig, LastLineWithoutNewline)
{
    const Parsed p = parse("[program a]\ncore = 3");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p[0].core, 3u);
}

TEST(BootConfig, SpacesTabsAndComments)
{
    const Parsed p = parse("\t[ program   a ]\t# the first\n"
                           "  core\t=\t2   # on core two\n"
                           "args = --colour=#fff --x   # '#' inside a word is not a comment\n"
                           "image=prog.elf\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(describe(p[0]), "name=a image=prog.elf core=2 priority=100 args=[--colour=#fff --x] memory=4194304 "
                              "caps=[] serves= line=1");
}

TEST(BootConfig, Numbers)
{
    const Parsed p = parse("[program a]\ncore = 0x3\npriority = 0xfe\nmemory = 0x10000\n"
                           "[program b]\npriority = 1\nmemory = 8192\n"
                           "[program c]\nmemory = 64k\n"
                           "[program d]\nmemory = 3G\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p[0].core, 3u);
    EXPECT_EQ(p[0].priority, 254u);
    EXPECT_EQ(p[0].memory_bytes, 0x10000u);
    EXPECT_EQ(p[1].priority, 1u);
    EXPECT_EQ(p[1].memory_bytes, 8192u);
    EXPECT_EQ(p[2].memory_bytes, 64u << 10);
    EXPECT_EQ(p[3].memory_bytes, 3ull << 30);
}

TEST(BootConfig, EveryCapabilityKind)
{
    const Parsed p = parse("[program driver]\n"
                           "caps = log,memory , irq:0, irq:255, ioport:0-0xffff, ioport:0x60-0x60, endpoint:name-2\n"
                           "[program other]\nserver = name-2\ncaps =\n");
    ASSERT_TRUE(p.ok);
    const Program& d = p[0];
    ASSERT_EQ(d.cap_count, 7u);
    EXPECT_EQ(d.caps[0].kind, CapKind::kLog);
    EXPECT_EQ(d.caps[1].kind, CapKind::kMemory);
    EXPECT_EQ(d.caps[2].kind, CapKind::kIrq);
    EXPECT_EQ(d.caps[2].a, 0u);
    EXPECT_EQ(d.caps[3].a, 255u);
    EXPECT_EQ(d.caps[3].b, 255u);
    EXPECT_EQ(d.caps[4].kind, CapKind::kIoPorts);
    EXPECT_EQ(d.caps[4].a, 0u);
    EXPECT_EQ(d.caps[4].b, 0xffffu);
    EXPECT_EQ(d.caps[5].a, 0x60u);
    EXPECT_EQ(d.caps[5].b, 0x60u);
    EXPECT_EQ(d.caps[6].kind, CapKind::kEndpoint);
    EXPECT_STREQ(d.caps[6].name, "name-2");
    EXPECT_EQ(p[1].cap_count, 0u);
}

TEST(BootConfig, LimitsThatFit)
{
    std::string text = "[program " + repeat('n', 31) + "]\nimage = " + repeat('i', 31) +
                       "\nargs = " + repeat('a', 255) + "\nserver = " + repeat('s', 31) + "\ncaps = ";
    for (int i = 0; i < 16; ++i) {
        text += (i ? ", irq:" : "irq:") + std::to_string(i);
    }
    const Parsed p = parse(text + "\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(std::strlen(p[0].name), 31u);
    EXPECT_EQ(std::strlen(p[0].image), 31u);
    EXPECT_EQ(std::strlen(p[0].args), 255u);
    EXPECT_EQ(std::strlen(p[0].serves), 31u);
    EXPECT_EQ(p[0].cap_count, 16u);
}

std::string programs(unsigned n)
{
    std::string text;
    for (unsigned i = 0; i < n; ++i) {
        text += "[program p" + std::to_string(i) + "]\n";
    }
    return text;
}

TEST(BootConfig, SixtyFourPrograms)
{
    const Parsed p = parse(programs(64));
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.count(), 64u);
    EXPECT_STREQ(p[63].name, "p63");
    EXPECT_EQ(p[63].line, 64u);
}

// ---- Placement keys (percpu/placement_config.hpp) ---------------------------

TEST(BootConfig, PlacementKeys)
{
    const Parsed p = parse("[program net]\n"
                           "core = 0,2\n"
                           "talks = disk, log   # both ways\n"
                           "[program disk]\n"
                           "node = 1\n"
                           "spread = package\n"
                           "[program log]\n"
                           "near = net\n"
                           "core = 1-3\n"
                           "[program idle]\n",
                           8);
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.count(), 4u);
    EXPECT_EQ(describe_placement(p[0]), "core=0 cores=[0,2]@2 node=0@0 near=@0 spread=none@0 talks=[disk,log]@3");
    EXPECT_EQ(describe_placement(p[1]), "core=0 cores=[]@0 node=1@5 near=@0 spread=package@6 talks=[]@0");
    EXPECT_EQ(describe_placement(p[2]), "core=1 cores=[1,2,3]@9 node=0@0 near=net@8 spread=none@0 talks=[]@0");
    EXPECT_EQ(describe_placement(p[3]), "core=0 cores=[]@0 node=0@0 near=@0 spread=none@0 talks=[]@0");
    // The boot keys are as they were.
    EXPECT_EQ(describe(p[2]), "name=log image=log core=1 priority=100 args=[] memory=4194304 caps=[] serves= line=7");
}

TEST(BootConfig, PlacementKeysBesideBootKeys)
{
    const Parsed p = parse("[program root]\r\nimage = root.elf\r\ncore = 0x3\r\npriority = 200\r\nspread = l3\r\n"
                           "args = --x=#1 -v\r\ncaps = log, irq:4\r\nmemory = 8M\r\nserver = rootsrv\r\n"
                           "[program b]\nspread = node\ncore = 0, 2-3, 0x1\ntalks =\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(describe(p[0]), "name=root image=root.elf core=3 priority=200 args=[--x=#1 -v] memory=8388608 "
                              "caps=[log,irq:4] serves=rootsrv line=1");
    EXPECT_EQ(describe_placement(p[0]), "core=3 cores=[3]@3 node=0@0 near=@0 spread=l3@5 talks=[]@0");
    EXPECT_EQ(describe_placement(p[1]), "core=0 cores=[0,1,2,3]@12 node=0@0 near=@0 spread=node@11 talks=[]@13");
}

// One file for the root task and the planner: the planner's example.
TEST(BootConfig, PlacementExample)
{
    const Bytes b = read_file(ATOLL_PLACEMENT_EXAMPLE);
    const Parsed p = parse(std::string(b.begin(), b.end()), 2, "services.cfg");
    ASSERT_TRUE(p.ok);
    ASSERT_EQ(p.count(), 6u);
    EXPECT_EQ(describe_placement(p[0]), "core=0 cores=[0]@4 node=0@0 near=@0 spread=none@0 talks=[]@0");
    EXPECT_EQ(describe_placement(p[1]), "core=0 cores=[]@0 node=0@0 near=@0 spread=none@0 talks=[disk,log]@6");
    EXPECT_EQ(describe_placement(p[3]), "core=0 cores=[]@0 node=0@0 near=net@10 spread=none@0 talks=[]@0");
    EXPECT_EQ(describe_placement(p[5]), "core=0 cores=[]@0 node=0@0 near=@0 spread=package@15 talks=[]@0");
}

TEST(BootConfig, PlacementLimitsThatFit)
{
    std::string text = "[program a]\nnode = 63\nnear = " + repeat('n', 31) + "\ncore = 0-255\ntalks = ";
    for (int i = 0; i < 16; ++i) {
        text += (i ? ", t" : "t") + std::to_string(i);
    }
    text += "\n[program " + repeat('n', 31) + "]\n";
    for (int i = 0; i < 16; ++i) {
        text += "[program t" + std::to_string(i) + "]\n";
    }
    const Parsed p = parse(text, 256);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p[0].node, 63u);
    EXPECT_EQ(p[0].cores.count(), 256u);
    EXPECT_EQ(p[0].talk_count, 16u);
    EXPECT_STREQ(p[0].talks[15], "t15");
}

TEST(BootConfigError, CoreList)
{
    const std::string usage = "(expected e.g. core = 3, core = 0,2 or core = 4-7)";
    expect_error("[program a]\ncore = 0,x\n", "boot.cfg:2: core = 0,x: 'x' is not a core number or range " + usage);
    expect_error("[program a]\ncore = 3-1\n", "boot.cfg:2: core = 3-1: '3-1' is not a core number or range " + usage);
    expect_error("[program a]\ncore = 1,,2\n", "boot.cfg:2: core = 1,,2: '' is not a core number or range " + usage);
    expect_error("[program a]\ncore = 1,\n", "boot.cfg:2: core = 1,: '' is not a core number or range " + usage);
    expect_error("[program a]\ncore = 1-\n", "boot.cfg:2: core = 1-: '1-' is not a core number or range " + usage);
    expect_error("[program a]\ncore = 0-1-2\n",
                 "boot.cfg:2: core = 0-1-2: '0-1-2' is not a core number or range " + usage);
    // A leading '-' is a bad number, as it always was.
    expect_error("[program a]\ncore = -1\n", "boot.cfg:2: core = -1: expected a number (decimal or 0x hex)");
}

TEST(BootConfigError, CoreListOutOfRange)
{
    expect_error("[program a]\ncore = 0,4\n", "boot.cfg:2: core = 0,4: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 2-5\n", "boot.cfg:2: core = 2-5: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 0-0x10000000000\n",
                 "boot.cfg:2: core = 0-0x10000000000: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 0,99999999999999999999\n",
                 "boot.cfg:2: core = 0,99999999999999999999: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 0,1\n", "boot.cfg:2: core = 0,1: this machine has 1 core (0)", 1);
    expect_error("[program a]\ncore = 0,0\n", "boot.cfg:2: core = 0,0: this machine has no cores", 0);
    // More cores than a list can name: a single core is still fine.
    expect_error("[program a]\ncore = 0,300\n", "boot.cfg:2: core = 0,300: '300': lists and ranges name cores below 256",
                 512);
    const Parsed p = parse("[program a]\ncore = 300\n", 512);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p[0].core, 300u);
    EXPECT_EQ(p[0].core_line, 2u);
    EXPECT_EQ(p[0].cores.count(), 0u);
}

TEST(BootConfigError, Node)
{
    for (const char* v : {"x", "64", "", "-1", "0x40", "1,2"}) {
        expect_error(std::string("[program a]\nnode = ") + v + "\n",
                     std::string("boot.cfg:2: node = ") + v + ": expected a NUMA node number below 64");
    }
}

TEST(BootConfigError, Spread)
{
    for (const char* v : {"rack", "", "none", "Package", "l3 node"}) {
        expect_error(std::string("[program a]\nspread = ") + v + "\n",
                     std::string("boot.cfg:2: spread = ") + v + ": expected package, node or l3");
    }
}

TEST(BootConfigError, Near)
{
    expect_error("[program a]\nnear = b\n", "boot.cfg:2: [program a] near = b: no [program b] in this file");
    expect_error("[program a]\nnear = a\n", "boot.cfg:2: [program a] near = a: a program cannot be near itself");
    expect_error("[program a]\nnear =\n",
                 "boot.cfg:2: near is empty (expected 1-31 characters from a-z, 0-9, '_' and '-')");
    expect_error("[program a]\nnear = B\n", "boot.cfg:2: near 'B' has 'B' (expected a-z, 0-9, '_' and '-')");
    expect_error("[program a]\nnear = b, c\n", "boot.cfg:2: near 'b, c' has ',' (expected a-z, 0-9, '_' and '-')");
    // A program later in the file counts.
    expect_ok("[program a]\nnear = b\n[program b]\n");
}

TEST(BootConfigError, Talks)
{
    expect_error("[program a]\ntalks = b\n", "boot.cfg:2: [program a] talks: no [program b] in this file");
    expect_error("[program a]\ntalks = a\n",
                 "boot.cfg:2: [program a] talks = ...a...: a program does not talk to itself");
    expect_error("[program a]\n[program b]\ntalks = a, a\n", "boot.cfg:3: talks: 'a' listed twice");
    expect_error("[program a]\n[program b]\ntalks = a,\n",
                 "boot.cfg:3: talks: entry 2 is empty (expected a program name between commas)");
    expect_error("[program a]\n[program b]\ntalks = A\n",
                 "boot.cfg:3: talks entry 'A' has 'A' (expected a-z, 0-9, '_' and '-')");
    std::string many = programs(18) + "[program x]\ntalks = ";
    for (int i = 0; i < 18; ++i) {
        many += (i ? ", p" : "p") + std::to_string(i);
    }
    expect_error(many + "\n", "boot.cfg:20: talks: more than 16 programs");
    expect_ok("[program a]\ntalks = b, c\n[program b]\ntalks = a\n[program c]\ntalks =\n");
}

TEST(BootConfigError, DuplicatePlacementKey)
{
    expect_error("[program a]\nnode = 1\nspread = l3\nnode = 2\n",
                 "boot.cfg:4: duplicate key 'node' in [program a] (first at line 2)");
    expect_error("[program a]\n[program b]\ntalks = a\ntalks = a\n",
                 "boot.cfg:4: duplicate key 'talks' in [program b] (first at line 3)");
}

TEST(BootConfigError, PlacementKeyOutsideSection)
{
    expect_error("spread = l3\n[program a]\n",
                 "boot.cfg:1: spread = l3: key outside a section (expected a [program NAME] line before it)");
}

// Names are checked once every program is known, after servers and endpoints.
TEST(BootConfigError, PlacementErrorsInOrder)
{
    const Parsed p = parse("[program a]\nnear = nobody\ntalks = a, ghost\nnode = 99\ncaps = endpoint:x\n"
                           "[program b]\nspread = rack\nnear = a\n");
    EXPECT_FALSE(p.ok);
    const std::vector<std::string> expected = {
        "boot.cfg:4: node = 99: expected a NUMA node number below 64",
        "boot.cfg:7: spread = rack: expected package, node or l3",
        "boot.cfg:5: caps: endpoint:x: no program serves 'x' (expected a program with server = x)",
        "boot.cfg:2: [program a] near = nobody: no [program nobody] in this file",
        "boot.cfg:3: [program a] talks = ...a...: a program does not talk to itself",
        "boot.cfg:3: [program a] talks: no [program ghost] in this file",
    };
    EXPECT_EQ(p.diag.messages, expected) << p.diag.dump();
}

// ---- Errors, one at a time --------------------------------------------------

TEST(BootConfigError, KeyOutsideSection)
{
    expect_error("core = 1\n[program a]\n",
                 "boot.cfg:1: core = 1: key outside a section (expected a [program NAME] line before it)");
}

TEST(BootConfigError, UnknownKey)
{
    expect_error("[program a]\ncolour = blue\n",
                 "boot.cfg:2: unknown key 'colour' (expected image, core, priority, args, caps, memory, server, node, near, spread or talks)");
    expect_error("[program a]\n= 3\n",
                 "boot.cfg:2: unknown key '' (expected image, core, priority, args, caps, memory, server, node, near, spread or talks)");
}

TEST(BootConfigError, DuplicateKey)
{
    expect_error("[program a]\ncore = 1\n\ncore = 2\n",
                 "boot.cfg:4: duplicate key 'core' in [program a] (first at line 2)");
}

TEST(BootConfigError, NotASetting)
{
    expect_error("[program a]\njust some words\n",
                 "boot.cfg:2: 'just some words': expected 'key = value', '[program NAME]' or a comment");
}

TEST(BootConfigError, MalformedSection)
{
    expect_error("[program a\n", "boot.cfg:1: [program a: expected [program NAME]");
    expect_error("[program]\n", "boot.cfg:1: [program]: expected [program NAME]");
    expect_error("[service x]\n", "boot.cfg:1: [service x]: expected [program NAME]");
    expect_error("[]\n", "boot.cfg:1: []: expected [program NAME]");
    expect_error("[program a] trailing\n", "boot.cfg:1: [program a] trailing: expected [program NAME]");
    // Its settings are still checked, but not also called "outside a section".
    expect_error("[service x]\ncore = 1\n", "boot.cfg:1: [service x]: expected [program NAME]");
}

TEST(BootConfigError, BadProgramName)
{
    expect_error("[program Console]\n", "boot.cfg:1: program name 'Console' has 'C' (expected a-z, 0-9, '_' and '-')");
    expect_error("[program my prog]\n", "boot.cfg:1: program name 'my prog' has ' ' (expected a-z, 0-9, '_' and '-')");
    expect_error("[program " + repeat('x', 32) + "]\n",
                 "boot.cfg:1: program name '" + repeat('x', 32) + "' is 32 characters (at most 31)");
    // Very long values are quoted only in part.
    expect_error("[program " + repeat('x', 100) + "]\n",
                 "boot.cfg:1: program name '" + repeat('x', 40) + "...' is 100 characters (at most 31)");
}

TEST(BootConfigError, DuplicateProgram)
{
    expect_error("[program a]\ncore = 1\n[program a]\n",
                 "boot.cfg:3: [program a]: duplicate program name (first at line 1)");
}

TEST(BootConfigError, TooManyPrograms)
{
    expect_error(programs(65), "boot.cfg:65: [program p64]: more than 64 programs");
    expect_error(programs(70), "boot.cfg:65: [program p64]: more than 64 programs");
}

TEST(BootConfigError, CoreOutOfRange)
{
    expect_error("[program a]\ncore = 9\n", "boot.cfg:2: core = 9: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 4\n", "boot.cfg:2: core = 4: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 0x40\n", "boot.cfg:2: core = 0x40: this machine has 4 cores (0-3)");
    expect_error("[program a]\ncore = 1\n", "boot.cfg:2: core = 1: this machine has 1 core (0)", 1);
    expect_error("[program a]\ncore = 0\n", "boot.cfg:2: core = 0: this machine has no cores", 0);
    expect_error("[program a]\ncore = 4294967296\n",
                 "boot.cfg:2: core = 4294967296: this machine has 4 cores (0-3)");
}

TEST(BootConfigError, NotANumber)
{
    for (const char* v : {"-1", "1.5", "", "one", "0x", "0xg", "1 2", "+1"}) {
        expect_error(std::string("[program a]\ncore = ") + v + "\n",
                     std::string("boot.cfg:2: core = ") + v + ": expected a number (decimal or 0x hex)");
    }
    expect_error("[program a]\npriority = 18446744073709551616\n",
                 "boot.cfg:2: priority = 18446744073709551616: number too large");
    expect_error("[program a]\ncore = 0x10000000000000000\n",
                 "boot.cfg:2: core = 0x10000000000000000: number too large");
}

TEST(BootConfigError, PriorityOutOfRange)
{
    expect_error("[program a]\npriority = 0\n", "boot.cfg:2: priority = 0: expected 1..254");
    expect_error("[program a]\npriority = 255\n", "boot.cfg:2: priority = 255: expected 1..254");
    expect_error("[program a]\npriority = 100000\n", "boot.cfg:2: priority = 100000: expected 1..254");
}

TEST(BootConfigError, Memory)
{
    expect_error("[program a]\nmemory = 12X\n",
                 "boot.cfg:2: memory = 12X: expected a number with an optional K, M or G suffix");
    expect_error("[program a]\nmemory = 4T\n",
                 "boot.cfg:2: memory = 4T: expected a number with an optional K, M or G suffix");
    expect_error("[program a]\nmemory = M\n",
                 "boot.cfg:2: memory = M: expected a number with an optional K, M or G suffix");
    expect_error("[program a]\nmemory = 0\n", "boot.cfg:2: memory = 0: expected at least 4K");
    expect_error("[program a]\nmemory = 0K\n", "boot.cfg:2: memory = 0K: expected at least 4K");
    expect_error("[program a]\nmemory = 1000\n",
                 "boot.cfg:2: memory = 1000: 1000 bytes is not a multiple of 4K (the page size)");
    expect_error("[program a]\nmemory = 6K\n",
                 "boot.cfg:2: memory = 6K: 6144 bytes is not a multiple of 4K (the page size)");
    expect_error("[program a]\nmemory = 17179869184G\n", "boot.cfg:2: memory = 17179869184G: too large for 64 bits");
    expect_error("[program a]\nmemory = 99999999999999999999\n",
                 "boot.cfg:2: memory = 99999999999999999999: number too large");
}

TEST(BootConfigError, Args)
{
    expect_error("[program a]\nargs = " + repeat('a', 256) + "\n",
                 "boot.cfg:2: args = " + repeat('a', 40) + "...: 256 characters (at most 255)");
}

TEST(BootConfigError, Image)
{
    expect_error("[program a]\nimage =\n", "boot.cfg:2: image = : expected a boot module name");
    expect_error("[program a]\nimage = two words\n",
                 "boot.cfg:2: image = two words: expected one boot module name without spaces");
    expect_error("[program a]\nimage = " + repeat('i', 32) + "\n",
                 "boot.cfg:2: image = " + repeat('i', 32) + ": boot module name is 32 characters (at most 31)");
}

TEST(BootConfigError, UnknownCapability)
{
    expect_error("[program a]\ncaps = log, disk\n",
                 "boot.cfg:2: caps: unknown capability 'disk' (expected log, memory, irq:<n>, ioport:<lo>-<hi> or "
                 "endpoint:<name>)");
    expect_error("[program a]\ncaps = LOG\n",
                 "boot.cfg:2: caps: unknown capability 'LOG' (expected log, memory, irq:<n>, ioport:<lo>-<hi> or "
                 "endpoint:<name>)");
}

TEST(BootConfigError, EmptyCapabilityEntry)
{
    expect_error("[program a]\ncaps = log,,memory\n",
                 "boot.cfg:2: caps: entry 2 is empty (expected a capability between commas)");
    expect_error("[program a]\ncaps = log, memory,\n",
                 "boot.cfg:2: caps: entry 3 is empty (expected a capability between commas)");
}

TEST(BootConfigError, MalformedIrq)
{
    for (const char* v : {"irq:", "irq:256", "irq:x", "irq:-1", "irq:1-2"}) {
        expect_error(std::string("[program a]\ncaps = ") + v + "\n",
                     std::string("boot.cfg:2: caps: '") + v + "': expected irq:<n> with n 0-255");
    }
}

TEST(BootConfigError, MalformedIoPortRange)
{
    for (const char* v : {"ioport:0x3f8", "ioport:", "ioport:-", "ioport:1-0x10000", "ioport:a-b", "ioport:1-2-3"}) {
        expect_error(std::string("[program a]\ncaps = ") + v + "\n",
                     std::string("boot.cfg:2: caps: '") + v + "': expected ioport:<lo>-<hi> with ports 0-0xffff");
    }
    expect_error("[program a]\ncaps = ioport:0x3ff-0x3f8\n",
                 "boot.cfg:2: caps: 'ioport:0x3ff-0x3f8': ioport range starts at 0x3ff, after its end 0x3f8");
}

TEST(BootConfigError, DuplicateCapability)
{
    expect_error("[program a]\ncaps = log, irq:4, log\n", "boot.cfg:2: caps: 'log' listed twice");
    expect_error("[program a]\ncaps = irq:4, irq:0x4\n", "boot.cfg:2: caps: 'irq:0x4' listed twice");
    expect_ok("[program a]\ncaps = irq:4, irq:5, ioport:1-2, ioport:1-3\n");
}

TEST(BootConfigError, TooManyCapabilities)
{
    std::string caps;
    for (int i = 0; i < 18; ++i) {
        caps += (i ? ", irq:" : "irq:") + std::to_string(i);
    }
    expect_error("[program a]\ncaps = " + caps + "\n", "boot.cfg:2: caps: more than 16 capabilities");
}

TEST(BootConfigError, BadEndpointName)
{
    expect_error("[program a]\ncaps = endpoint:\n",
                 "boot.cfg:2: caps: endpoint name is empty (expected 1-31 characters from a-z, 0-9, '_' and '-')");
    expect_error("[program a]\ncaps = endpoint:Ping\n",
                 "boot.cfg:2: caps: endpoint name 'Ping' has 'P' (expected a-z, 0-9, '_' and '-')");
}

TEST(BootConfigError, EndpointNobodyServes)
{
    expect_error("[program a]\nserver = ping\n[program b]\ncore = 1\ncaps = log, endpoint:pong\n",
                 "boot.cfg:5: caps: endpoint:pong: no program serves 'pong' (expected a program with server = pong)");
    // A server in a later program counts.
    expect_ok("[program b]\ncaps = endpoint:ping\n[program a]\nserver = ping\n");
}

TEST(BootConfigError, SameNameServedTwice)
{
    expect_error("[program a]\nserver = ping\n[program b]\n\nserver = ping\n",
                 "boot.cfg:5: server = ping: already served by program 'a' (line 2)");
}

TEST(BootConfigError, BadServerName)
{
    expect_error("[program a]\nserver =\n",
                 "boot.cfg:2: server is empty (expected 1-31 characters from a-z, 0-9, '_' and '-')");
    expect_error("[program a]\nserver = ping.pong\n",
                 "boot.cfg:2: server 'ping.pong' has '.' (expected a-z, 0-9, '_' and '-')");
}

TEST(BootConfigError, NulByte)
{
    expect_error(std::string("[program a]\ncore = 1\0\n", 22), "boot.cfg:2: NUL byte at column 9 (expected text)");
}

TEST(BootConfigError, NonPrintableBytes)
{
    expect_error("[program a]\nargs = \a\n",
                 "boot.cfg:2: byte 0x07 at column 8 is not printable ASCII (expected text; spaces and tabs are the "
                 "only whitespace)");
    expect_error("# caf\xc3\xa9\n",
                 "boot.cfg:1: byte 0xc3 at column 6 is not printable ASCII (expected text; spaces and tabs are the "
                 "only whitespace)");
    // CR is accepted only as part of CRLF.
    expect_error("[program a]\rcore = 1\n",
                 "boot.cfg:1: byte 0x0d at column 12 is not printable ASCII (expected text; spaces and tabs are the "
                 "only whitespace)");
    expect_error("[program a]\n\x7f\n",
                 "boot.cfg:2: byte 0x7f at column 1 is not printable ASCII (expected text; spaces and tabs are the "
                 "only whitespace)");
}

TEST(BootConfigError, FileNameInMessages)
{
    const Parsed p = parse("[program a]\ncore = 7\n", 2, "modules/boot.cfg");
    EXPECT_REPORTED_EXACTLY(p.diag, "modules/boot.cfg:2: core = 7: this machine has 2 cores (0-1)");
}

// ---- Many errors at once ----------------------------------------------------

TEST(BootConfigError, AllErrorsAreReportedInOrder)
{
    const Parsed p = parse(load_config("errors.cfg"), 4, "errors.cfg");
    EXPECT_FALSE(p.ok);
    const std::vector<std::string> expected = {
        "errors.cfg:2: image = orphan: key outside a section (expected a [program NAME] line before it)",
        "errors.cfg:4: core = 9: this machine has 4 cores (0-3)",
        "errors.cfg:5: priority = 0: expected 1..254",
        "errors.cfg:6: duplicate key 'core' in [program console] (first at line 4)",
        "errors.cfg:7: unknown key 'colour' (expected image, core, priority, args, caps, memory, server, node, near, spread or talks)",
        "errors.cfg:8: memory = 12X: expected a number with an optional K, M or G suffix",
        "errors.cfg:9: caps: unknown capability 'disk' (expected log, memory, irq:<n>, ioport:<lo>-<hi> or "
        "endpoint:<name>)",
        "errors.cfg:9: caps: 'irq:300': expected irq:<n> with n 0-255",
        "errors.cfg:9: caps: 'ioport:0x3ff-0x3f8': ioport range starts at 0x3ff, after its end 0x3f8",
        "errors.cfg:11: 'just some words': expected 'key = value', '[program NAME]' or a comment",
        "errors.cfg:12: [program console]: duplicate program name (first at line 3)",
        "errors.cfg:13: program name 'Bad!' has 'B' (expected a-z, 0-9, '_' and '-')",
        "errors.cfg:14: [service x]: expected [program NAME]",
        "errors.cfg:17: memory = 1000: 1000 bytes is not a multiple of 4K (the page size)",
        "errors.cfg:16: server = console: already served by program 'console' (line 10)",
        "errors.cfg:9: caps: endpoint:nobody: no program serves 'nobody' (expected a program with server = nobody)",
    };
    EXPECT_EQ(p.diag.messages, expected) << p.diag.dump();
}

// Any byte of the example replaced by any of a few troublemakers: a clean
// result or reports, within bounds, never both and never neither.
TEST(BootConfigError, EverySingleByteCorruptionIsHandled)
{
    const std::string example = load_config("example.cfg");
    for (size_t i = 0; i < example.size(); ++i) {
        for (char c : {'\0', '\n', '\r', '[', ']', '=', ',', '#', ' ', 'Z', ':', '-', '\x80'}) {
            std::string bad = example;
            bad[i] = c;
            const Parsed p = parse(bad, 2);
            ASSERT_LE(p.count(), bootcfg::kMaxPrograms);
            if (HasFailure()) {
                FAIL() << "byte " << i << " = " << int(c);
            }
        }
    }
}

} // namespace
} // namespace atoll_os::test
