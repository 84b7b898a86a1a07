// Tests for ELF load plans: real programs linked at build time, and byte-level corruptions of them.
#include "runtime/lib/elf.hpp"

#include <elf.h>

#include <algorithm>
#include <limits>

#include "tests/host/runtime/runtime_test_support.hpp"

namespace atoll_os::test {
namespace {

using elf::kDefaultUserLimit;
using elf::Plan;
using elf::Segment;

constexpr uint64_t kPage = 0x1000;

struct Result {
    bool ok;
    Plan plan;
    RecordingDiag diag;
};

// Plans from an exact-size copy. Whatever the input, success and silence go
// together: a rejection always says why, an acceptance never complains.
Result plan(const Bytes& image, uint64_t limit = kDefaultUserLimit)
{
    Result r{};
    const ExactCopy copy(image);
    r.ok = elf::plan_load(copy.data(), copy.size(), limit, r.plan, r.diag);
    EXPECT_EQ(r.ok, r.diag.messages.empty()) << "reports were:\n" << r.diag.dump();
    return r;
}

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// The test's own view of the file, through the system's <elf.h> structures,
// so expectations do not come from the code under test.
Elf64_Ehdr ehdr(const Bytes& b)
{
    Elf64_Ehdr h;
    std::memcpy(&h, b.data(), sizeof h);
    return h;
}

void set_ehdr(Bytes& b, const Elf64_Ehdr& h) { std::memcpy(b.data(), &h, sizeof h); }

Elf64_Phdr phdr(const Bytes& b, unsigned i)
{
    Elf64_Phdr p;
    std::memcpy(&p, b.data() + ehdr(b).e_phoff + i * sizeof p, sizeof p);
    return p;
}

void set_phdr(Bytes& b, unsigned i, const Elf64_Phdr& p)
{
    std::memcpy(b.data() + ehdr(b).e_phoff + i * sizeof p, &p, sizeof p);
}

// Index of the first program header of `type` whose flags include `flags`.
unsigned find_phdr(const Bytes& b, uint32_t type, uint32_t flags = 0)
{
    for (unsigned i = 0; i < ehdr(b).e_phnum; ++i) {
        const Elf64_Phdr p = phdr(b, i);
        if (p.p_type == type && (p.p_flags & flags) == flags) {
            return i;
        }
    }
    ADD_FAILURE() << "no program header of type " << type << " with flags " << flags;
    return 0;
}

unsigned code_phdr(const Bytes& b) { return find_phdr(b, PT_LOAD, PF_X); }
unsigned data_phdr(const Bytes& b) { return find_phdr(b, PT_LOAD, PF_W); }
unsigned rodata_phdr(const Bytes& b)
{
    for (unsigned i = 0; i < ehdr(b).e_phnum; ++i) {
        const Elf64_Phdr p = phdr(b, i);
        if (p.p_type == PT_LOAD && p.p_flags == PF_R) {
            return i;
        }
    }
    ADD_FAILURE() << "no read-only PT_LOAD";
    return 0;
}

// Smallest prefix of the file that still holds the program headers and
// every byte a PT_LOAD copies: anything shorter must be rejected.
size_t bytes_needed(const Bytes& b)
{
    const Elf64_Ehdr h = ehdr(b);
    size_t need = std::max<size_t>(sizeof h, h.e_phoff + size_t{h.e_phnum} * sizeof(Elf64_Phdr));
    for (unsigned i = 0; i < h.e_phnum; ++i) {
        const Elf64_Phdr p = phdr(b, i);
        if (p.p_type == PT_LOAD) {
            need = std::max<size_t>(need, p.p_offset + p.p_filesz);
        }
    }
    return need;
}

uint64_t end_of(const Segment& s) { return s.vaddr + s.memsz; }

// What every accepted plan promises, whatever the input was.
void expect_plan_invariants(const Plan& p, uint64_t limit, size_t image_size)
{
    ASSERT_GE(p.segment_count, 1u);
    ASSERT_LE(p.segment_count, elf::kMaxSegments);
    bool entry_ok = false;
    uint64_t lo = std::numeric_limits<uint64_t>::max(), hi = 0;
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        const Segment& s = p.segments[i];
        EXPECT_GT(s.memsz, 0u);
        EXPECT_LE(s.filesz, s.memsz);
        EXPECT_GE(s.vaddr, elf::kLowestLoadAddress);
        EXPECT_LE(s.vaddr, end_of(s));
        EXPECT_LE(end_of(s), limit);
        EXPECT_LE(s.file_offset, image_size);
        EXPECT_LE(s.filesz, image_size - s.file_offset);
        EXPECT_FALSE(s.write && s.execute) << "segment " << i;
        entry_ok = entry_ok || (s.execute && p.entry >= s.vaddr && p.entry < end_of(s));
        lo = std::min(lo, s.vaddr);
        hi = std::max(hi, end_of(s));
        for (uint32_t j = 0; j < i; ++j) {
            const Segment& t = p.segments[j];
            EXPECT_TRUE(end_of(s) <= t.vaddr || end_of(t) <= s.vaddr) << "segments " << j << " and " << i;
            const bool share = (s.vaddr & ~(kPage - 1)) <= ((end_of(t) - 1) & ~(kPage - 1)) &&
                               (t.vaddr & ~(kPage - 1)) <= ((end_of(s) - 1) & ~(kPage - 1));
            EXPECT_FALSE(share && ((s.write && t.execute) || (s.execute && t.write))) << j << " and " << i;
        }
    }
    EXPECT_TRUE(entry_ok) << "entry " << hex(p.entry);
    EXPECT_EQ(p.lowest_vaddr, lo);
    EXPECT_EQ(p.highest_vaddr_end, hi);
}

// ---- Programs that must load ------------------------------------------------

void plan_matches_program_headers(const char* name)
{
    const Bytes image = load_program(name);
    ASSERT_FALSE(image.empty());
    const Result r = plan(image);
    ASSERT_TRUE(r.ok);
    EXPECT_NO_REPORTS(r.diag);

    const Elf64_Ehdr h = ehdr(image);
    EXPECT_EQ(r.plan.entry, h.e_entry);
    uint32_t n = 0;
    for (unsigned i = 0; i < h.e_phnum; ++i) {
        const Elf64_Phdr p = phdr(image, i);
        if (p.p_type != PT_LOAD || p.p_memsz == 0) {
            continue;
        }
        ASSERT_LT(n, r.plan.segment_count);
        const Segment& s = r.plan.segments[n++];
        EXPECT_EQ(s.vaddr, p.p_vaddr);
        EXPECT_EQ(s.memsz, p.p_memsz);
        EXPECT_EQ(s.file_offset, p.p_offset);
        EXPECT_EQ(s.filesz, p.p_filesz);
        EXPECT_EQ(s.read, (p.p_flags & PF_R) != 0);
        EXPECT_EQ(s.write, (p.p_flags & PF_W) != 0);
        EXPECT_EQ(s.execute, (p.p_flags & PF_X) != 0);
    }
    EXPECT_EQ(r.plan.segment_count, n);
    expect_plan_invariants(r.plan, kDefaultUserLimit, image.size());
}

// Only what the program headers and segments need is read, so a file cut
// anywhere before that is rejected, and anywhere after (section headers,
// symbols) is still loadable.
void every_truncation_is_rejected_until_the_last_loaded_byte(const char* name)
{
    const Bytes image = load_program(name);
    const size_t need = bytes_needed(image);
    ASSERT_LE(need, image.size());
    for (size_t n = 0; n <= image.size(); ++n) {
        const Result r = plan(Bytes(image.begin(), image.begin() + static_cast<ptrdiff_t>(n)));
        EXPECT_EQ(r.ok, n >= need) << "prefix of " << n << " bytes\n" << r.diag.dump();
    }
}

// Flipping any one byte either leaves a loadable program (the plan still
// keeps every promise) or is reported; never a crash or a silent failure.
void every_single_byte_corruption_is_handled(const char* name)
{
    const Bytes image = load_program(name);
    for (size_t i = 0; i < image.size(); ++i) {
        for (uint8_t mask : {uint8_t{0xff}, uint8_t{0x80}, uint8_t{0x01}}) {
            Bytes bad = image;
            bad[i] ^= mask;
            const Result r = plan(bad);
            if (r.ok) {
                expect_plan_invariants(r.plan, kDefaultUserLimit, bad.size());
            }
            if (testing::Test::HasFailure()) {
                FAIL() << "byte " << i << " ^ " << int(mask);
            }
        }
    }
}

// One suite per program that must load, so CTest names say which one failed.
#define LOADABLE_PROGRAM(Suite, file)                                                            \
    TEST(Suite, PlanMatchesProgramHeaders) { plan_matches_program_headers(file); }               \
    TEST(Suite, EveryTruncationIsRejectedUntilTheLastLoadedByte)                                 \
    {                                                                                            \
        every_truncation_is_rejected_until_the_last_loaded_byte(file);                           \
    }                                                                                            \
    TEST(Suite, EverySingleByteCorruptionIsHandled) { every_single_byte_corruption_is_handled(file); }

LOADABLE_PROGRAM(ElfTinyStatic, "tiny_static")
LOADABLE_PROGRAM(ElfTinySeparateCode, "tiny_separate")
LOADABLE_PROGRAM(ElfDataStatic, "data_static")
LOADABLE_PROGRAM(ElfDataSeparateCode, "data_separate")
LOADABLE_PROGRAM(ElfTinyHigh, "tiny_high")

#undef LOADABLE_PROGRAM

TEST(ElfPlan, SeparateCodeKeepsCodeOnItsOwnPages)
{
    for (const char* name : {"tiny_separate", "data_separate"}) {
        SCOPED_TRACE(name);
        const Result r = plan(load_program(name));
        ASSERT_TRUE(r.ok);
        unsigned code = 0;
        for (uint32_t i = 0; i < r.plan.segment_count; ++i) {
            const Segment& s = r.plan.segments[i];
            if (!s.execute) {
                continue;
            }
            ++code;
            EXPECT_EQ(s.vaddr % kPage, 0u);
            EXPECT_EQ(s.file_offset % kPage, 0u);
            for (uint32_t j = 0; j < r.plan.segment_count; ++j) {
                const Segment& t = r.plan.segments[j];
                if (j != i) {
                    EXPECT_TRUE(t.vaddr >= (end_of(s) + kPage - 1) / kPage * kPage || end_of(t) <= s.vaddr);
                }
            }
        }
        EXPECT_EQ(code, 1u);
    }
}

TEST(ElfPlan, BssIsMemoryBeyondTheFileBytes)
{
    const Result r = plan(load_program("data_static"));
    ASSERT_TRUE(r.ok);
    bool found = false;
    for (uint32_t i = 0; i < r.plan.segment_count; ++i) {
        const Segment& s = r.plan.segments[i];
        found = found || (s.write && !s.execute && s.memsz - s.filesz >= (1u << 20));
    }
    EXPECT_TRUE(found) << "the 1 MiB .bss should be a writable segment's zero-filled tail";
}

TEST(ElfPlan, ProgramNearTheTopOfUserSpace)
{
    const Bytes image = load_program("tiny_high");
    const Result r = plan(image);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.plan.lowest_vaddr, 0x7fffffe00000u);
    EXPECT_LE(r.plan.highest_vaddr_end, kDefaultUserLimit);

    // The same program against a lower limit: every segment is named.
    const uint64_t limit = 0x7fffffe01000;
    const Result low = plan(image, limit);
    EXPECT_FALSE(low.ok);
    for (unsigned i = 0; i < ehdr(image).e_phnum; ++i) {
        const Elf64_Phdr p = phdr(image, i);
        if (p.p_type == PT_LOAD && p.p_vaddr + p.p_memsz > limit) {
            EXPECT_REPORTED_EXACTLY(low.diag, "ELF: program header " + std::to_string(i) + ": [" + hex(p.p_vaddr) +
                                                  ", " + hex(p.p_vaddr + p.p_memsz) +
                                                  ") ends above the user address limit 0x7fffffe01000");
        }
    }
}

// ---- Programs that must not load --------------------------------------------

TEST(ElfPlan, RejectsPositionIndependentExecutable)
{
    const Bytes image = load_program("tiny_pie");
    ASSERT_EQ(ehdr(image).e_type, ET_DYN);
    const Result r = plan(image);
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.diag.messages.size(), 1u) << r.diag.dump();
    EXPECT_EQ(r.diag.messages[0],
              "ELF: e_type ET_DYN: position-independent executables are not supported (link with -static -no-pie)");
}

TEST(ElfPlan, RejectsDynamicallyLinkedExecutable)
{
    const Bytes image = load_program("dynamic");
    ASSERT_EQ(ehdr(image).e_type, ET_EXEC);
    const Result r = plan(image);
    EXPECT_FALSE(r.ok);
    EXPECT_REPORTED_EXACTLY(r.diag, "ELF: program header " + std::to_string(find_phdr(image, PT_INTERP)) +
                                        ": PT_INTERP asks for a dynamic linker; only static executables are "
                                        "supported (link with -static)");
    EXPECT_REPORTED_EXACTLY(r.diag, "ELF: program header " + std::to_string(find_phdr(image, PT_DYNAMIC)) +
                                        ": PT_DYNAMIC: dynamically linked executables are not supported (link "
                                        "with -static)");
}

TEST(ElfPlan, RejectsWritableAndExecutableSegment)
{
    const Bytes image = load_program("tiny_rwx");
    const unsigned rwx = find_phdr(image, PT_LOAD, PF_W | PF_X);
    const Result r = plan(image);
    EXPECT_FALSE(r.ok);
    EXPECT_REPORTED_EXACTLY(r.diag, "ELF: segment " + std::to_string(rwx) +
                                        " is writable and executable (p_flags 0x7); code and data must be in "
                                        "separate segments");
}

TEST(ElfPlan, RejectsProgramLinkedAtAddressZero)
{
    const Bytes image = load_program("tiny_null");
    const Result r = plan(image);
    EXPECT_FALSE(r.ok);
    EXPECT_REPORTED_EXACTLY(r.diag, "ELF: program header " + std::to_string(find_phdr(image, PT_LOAD)) +
                                        ": p_vaddr 0x0 is below 0x1000 (the null page stays unmapped)");
}

// ---- ELF header corruptions -------------------------------------------------

Result plan_with_header(void (*edit)(Elf64_Ehdr&))
{
    Bytes image = load_program("tiny_static");
    Elf64_Ehdr h = ehdr(image);
    edit(h);
    set_ehdr(image, h);
    return plan(image);
}

void expect_only(const Result& r, const std::string& message)
{
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.diag.messages.size(), 1u) << r.diag.dump();
    EXPECT_EQ(r.diag.messages[0], message);
}

TEST(ElfHeader, EmptyAndShortImages)
{
    RecordingDiag diag;
    Plan p{};
    EXPECT_FALSE(elf::plan_load(nullptr, 0, kDefaultUserLimit, p, diag));
    EXPECT_REPORTED_EXACTLY(diag, "ELF: image is 0 bytes, too small for the 64-byte ELF64 header");

    const Bytes image = load_program("tiny_static");
    expect_only(plan(Bytes(image.begin(), image.begin() + 3)),
                "ELF: image is 3 bytes, too small for the 64-byte ELF64 header");
    expect_only(plan(Bytes(image.begin(), image.begin() + 63)),
                "ELF: image is 63 bytes, too small for the 64-byte ELF64 header");
}

TEST(ElfHeader, BadMagic)
{
    Bytes image = load_program("tiny_static");
    image[1] = 'X';
    expect_only(plan(image), "ELF: magic 7f 58 4c 46 (expected 7f 45 4c 46, \"\\x7fELF\"): not an ELF file");
    // Even a short file that is not ELF is called what it is.
    expect_only(plan(Bytes{'#', '!', '/', 'b', 'i', 'n'}),
                "ELF: magic 23 21 2f 62 (expected 7f 45 4c 46, \"\\x7fELF\"): not an ELF file");
}

TEST(ElfHeader, ThirtyTwoBitClass)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_ident[EI_CLASS] = ELFCLASS32; }),
                "ELF: e_ident[EI_CLASS] 1 (expected 2, ELFCLASS64): 32-bit executables are not supported");
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_ident[EI_CLASS] = 9; }),
                "ELF: e_ident[EI_CLASS] 9 (expected 2, ELFCLASS64)");
}

TEST(ElfHeader, BigEndian)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_ident[EI_DATA] = ELFDATA2MSB; }),
                "ELF: e_ident[EI_DATA] 2 (expected 1, ELFDATA2LSB, little endian)");
}

TEST(ElfHeader, IdentVersion)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_ident[EI_VERSION] = 0; }),
                "ELF: e_ident[EI_VERSION] 0 (expected 1, EV_CURRENT)");
}

TEST(ElfHeader, AllIdentErrorsAreReported)
{
    const Result r = plan_with_header([](Elf64_Ehdr& h) {
        h.e_ident[EI_CLASS] = ELFCLASS32;
        h.e_ident[EI_DATA] = ELFDATA2MSB;
        h.e_ident[EI_VERSION] = 2;
    });
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.diag.messages.size(), 3u) << r.diag.dump();
}

TEST(ElfHeader, ObjectFilesAndCoreDumps)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_type = ET_REL; }),
                "ELF: e_type 1 (ET_REL, an object file: link it first) (expected 2, ET_EXEC)");
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_type = ET_CORE; }),
                "ELF: e_type 4 (ET_CORE, a core dump) (expected 2, ET_EXEC)");
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_type = 0xfe00; }),
                "ELF: e_type 65024 (expected 2, ET_EXEC)");
}

TEST(ElfHeader, WrongMachine)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_machine = EM_AARCH64; }),
                "ELF: e_machine 183 (expected 62, EM_X86_64)");
}

TEST(ElfHeader, WrongVersion)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_version = 7; }),
                "ELF: e_version 7 (expected 1, EV_CURRENT)");
}

TEST(ElfHeader, WrongHeaderSize)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_ehsize = 52; }), "ELF: e_ehsize 52 (expected 64)");
}

TEST(ElfHeader, WrongProgramHeaderSize)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_phentsize = 32; }),
                "ELF: e_phentsize 32 (expected 56, the ELF64 program header size)");
}

TEST(ElfHeader, NoProgramHeaders)
{
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_phnum = 0; }),
                "ELF: e_phnum 0: no program headers, nothing to load");
    expect_only(plan_with_header([](Elf64_Ehdr& h) { h.e_phnum = PN_XNUM; }),
                "ELF: e_phnum 0xffff (PN_XNUM, count kept in section header 0) is not supported");
}

TEST(ElfHeader, ProgramHeadersPastTheEnd)
{
    const Bytes image = load_program("tiny_static");
    const unsigned phnum = ehdr(image).e_phnum;
    const std::string tail = " + e_phnum " + std::to_string(phnum) +
                             " x 56 bytes extends past the end of the image (" + hex(image.size()) + " bytes)";
    {
        Bytes bad = image;
        Elf64_Ehdr h = ehdr(bad);
        h.e_phoff = image.size() - 56;
        set_ehdr(bad, h);
        expect_only(plan(bad), "ELF: e_phoff " + hex(image.size() - 56) + tail);
    }
    {
        Bytes bad = image;
        Elf64_Ehdr h = ehdr(bad);
        h.e_phoff = std::numeric_limits<uint64_t>::max() - 8;
        set_ehdr(bad, h);
        expect_only(plan(bad), "ELF: e_phoff 0xfffffffffffffff7" + tail);
    }
    {
        Bytes bad = image;
        Elf64_Ehdr h = ehdr(bad);
        h.e_phnum = 0xfffe;
        set_ehdr(bad, h);
        expect_only(plan(bad), "ELF: e_phoff 0x40 + e_phnum 65534 x 56 bytes extends past the end of the image (" +
                                   hex(image.size()) + " bytes)");
    }
}

TEST(ElfHeader, AllHeaderFieldErrorsAreReported)
{
    const Result r = plan_with_header([](Elf64_Ehdr& h) {
        h.e_machine = EM_386;
        h.e_version = 0;
        h.e_phentsize = 0;
    });
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.diag.messages.size(), 3u) << r.diag.dump();
    EXPECT_REPORTED(r.diag, "e_machine 3");
    EXPECT_REPORTED(r.diag, "e_version 0");
    EXPECT_REPORTED(r.diag, "e_phentsize 0");
}

// ---- Program header corruptions ---------------------------------------------

// tiny_static with one program header edited.
struct Edited {
    Bytes image;
    unsigned index;
    Elf64_Phdr before;
    Result result;
};

template <typename Edit>
Edited edit_phdr(unsigned (*which)(const Bytes&), Edit edit, const char* program = "tiny_static")
{
    Edited e{load_program(program), 0, {}, {}};
    e.index = which(e.image);
    e.before = phdr(e.image, e.index);
    Elf64_Phdr p = e.before;
    edit(p);
    set_phdr(e.image, e.index, p);
    e.result = plan(e.image);
    return e;
}

std::string ph(unsigned index) { return "ELF: program header " + std::to_string(index) + ": "; }

TEST(ElfProgramHeader, FileSizeAboveMemorySize)
{
    const Edited e = edit_phdr(data_phdr, [](Elf64_Phdr& p) { p.p_memsz = p.p_filesz - 1; });
    EXPECT_FALSE(e.result.ok);
    EXPECT_REPORTED_EXACTLY(e.result.diag,
                            ph(e.index) + "p_filesz " + hex(e.before.p_filesz) + " > p_memsz " +
                                hex(e.before.p_filesz - 1));
}

TEST(ElfProgramHeader, FileBytesPastTheEnd)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_offset += 0x100000; });
    EXPECT_FALSE(e.result.ok);
    const uint64_t off = e.before.p_offset + 0x100000;
    expect_only(e.result, ph(e.index) + "file bytes [" + hex(off) + ", " + hex(off + e.before.p_filesz) +
                              ") extend past the end of the image (" + hex(e.image.size()) + " bytes)");
}

TEST(ElfProgramHeader, FileRangeOverflows)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) {
        p.p_offset = ~uint64_t{0} - 0xfff + p.p_offset;  // same offset within the page
        p.p_filesz = p.p_memsz = 0x2000;
    });
    expect_only(e.result, ph(e.index) + "p_offset " + hex(~uint64_t{0} - 0xfff + e.before.p_offset) +
                              " + p_filesz 0x2000 overflows");
}

TEST(ElfProgramHeader, AddressRangeOverflows)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) {
        p.p_vaddr = ~uint64_t{0} - 0xfff + p.p_vaddr % 0x1000;
        p.p_memsz = 0x2000;
    });
    const uint64_t vaddr = ~uint64_t{0} - 0xfff + e.before.p_vaddr % 0x1000;
    expect_only(e.result, ph(e.index) + "p_vaddr " + hex(vaddr) + " + p_memsz 0x2000 overflows");
}

TEST(ElfProgramHeader, AboveTheUserLimit)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) {
        p.p_vaddr = 0x7ffffffff000 + p.p_vaddr % 0x1000;
        p.p_memsz = 0x2000;
    });
    const uint64_t vaddr = 0x7ffffffff000 + e.before.p_vaddr % 0x1000;
    expect_only(e.result, ph(e.index) + "[" + hex(vaddr) + ", " + hex(vaddr + 0x2000) +
                              ") ends above the user address limit 0x800000000000");
}

TEST(ElfProgramHeader, KernelHalfAddress)
{
    const Edited e =
        edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_vaddr = 0xffffffff80000000 + p.p_vaddr % 0x1000; });
    EXPECT_FALSE(e.result.ok);
    EXPECT_REPORTED(e.result.diag, ph(e.index).c_str(), "ends above the user address limit 0x800000000000");
}

TEST(ElfProgramHeader, NullPage)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_vaddr %= 0x1000; });
    expect_only(e.result, ph(e.index) + "p_vaddr " + hex(e.before.p_vaddr % 0x1000) +
                              " is below 0x1000 (the null page stays unmapped)");
}

TEST(ElfProgramHeader, WritableAndExecutable)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_flags = PF_R | PF_W | PF_X; });
    expect_only(e.result, "ELF: segment " + std::to_string(e.index) +
                              " is writable and executable (p_flags 0x7); code and data must be in separate segments");
}

TEST(ElfProgramHeader, AlignmentNotAPowerOfTwo)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_align = 0x1800; });
    expect_only(e.result, ph(e.index) + "p_align 0x1800 is not a power of two");
}

TEST(ElfProgramHeader, AddressAndOffsetDisagreeModuloAlignment)
{
    const Edited e = edit_phdr(code_phdr, [](Elf64_Phdr& p) { p.p_vaddr += 8; });
    expect_only(e.result, ph(e.index) + "p_vaddr " + hex(e.before.p_vaddr + 8) + " and p_offset " +
                              hex(e.before.p_offset) + " differ modulo p_align " + hex(e.before.p_align));
}

TEST(ElfProgramHeader, AlignmentZeroOrOneMeansNone)
{
    Bytes image = load_program("tiny_static");
    const unsigned code = code_phdr(image);
    Elf64_Phdr p = phdr(image, code);
    p.p_align = 1;
    p.p_vaddr += 8;
    set_phdr(image, code, p);
    Elf64_Ehdr h = ehdr(image);
    h.e_entry += 8;
    set_ehdr(image, h);
    EXPECT_TRUE(plan(image).ok);
    p.p_align = 0;
    set_phdr(image, code, p);
    EXPECT_TRUE(plan(image).ok);
}

TEST(ElfProgramHeader, OverlappingSegments)
{
    Bytes image = load_program("tiny_static");
    const unsigned code = code_phdr(image), data = data_phdr(image);
    const Elf64_Phdr c = phdr(image, code);
    Elf64_Phdr d = phdr(image, data);
    d.p_vaddr = c.p_vaddr + 1;
    d.p_align = 0;
    set_phdr(image, data, d);
    const Result r = plan(image);
    const unsigned first = std::min(code, data), second = std::max(code, data);
    const Elf64_Phdr& a = code < data ? c : d;
    const Elf64_Phdr& b = code < data ? d : c;
    expect_only(r, "ELF: program headers " + std::to_string(first) + " and " + std::to_string(second) +
                       " overlap: [" + hex(a.p_vaddr) + ", " + hex(a.p_vaddr + a.p_memsz) + ") and [" +
                       hex(b.p_vaddr) + ", " + hex(b.p_vaddr + b.p_memsz) + ")");
}

TEST(ElfProgramHeader, WritableDataOnTheCodePage)
{
    Bytes image = load_program("tiny_static");
    const unsigned code = code_phdr(image), data = data_phdr(image);
    const Elf64_Phdr c = phdr(image, code);
    Elf64_Phdr d = phdr(image, data);
    d.p_vaddr = c.p_vaddr + c.p_memsz;  // right after the code, same page
    d.p_align = 0;
    ASSERT_EQ(d.p_vaddr / kPage, c.p_vaddr / kPage);
    set_phdr(image, data, d);
    expect_only(plan(image), "ELF: program headers " + std::to_string(std::min(code, data)) + " and " +
                                 std::to_string(std::max(code, data)) + " share the page at " +
                                 hex(c.p_vaddr & ~(kPage - 1)) +
                                 " but one is writable and the other executable (that page would be W+X)");
}

TEST(ElfProgramHeader, ReadOnlyDataMayShareTheCodePage)
{
    Bytes image = load_program("tiny_static");
    const unsigned code = code_phdr(image), ro = rodata_phdr(image);
    const Elf64_Phdr c = phdr(image, code);
    Elf64_Phdr r = phdr(image, ro);
    ASSERT_LE(r.p_memsz, c.p_vaddr % kPage) << "read-only segment must fit below the code on its page";
    r.p_vaddr = c.p_vaddr - r.p_memsz;
    r.p_align = 0;
    set_phdr(image, ro, r);
    const Result res = plan(image);
    EXPECT_TRUE(res.ok);
    expect_plan_invariants(res.plan, kDefaultUserLimit, image.size());
}

TEST(ElfProgramHeader, EntryInDataSegment)
{
    Bytes image = load_program("tiny_static");
    const unsigned data = data_phdr(image);
    Elf64_Ehdr h = ehdr(image);
    h.e_entry = phdr(image, data).p_vaddr;
    set_ehdr(image, h);
    expect_only(plan(image), "ELF: e_entry " + hex(h.e_entry) + " is in program header " + std::to_string(data) +
                                 ", which is not executable");
}

TEST(ElfProgramHeader, EntryOutsideEverySegment)
{
    Bytes image = load_program("tiny_static");
    Elf64_Ehdr h = ehdr(image);
    h.e_entry = 0x10;
    set_ehdr(image, h);
    expect_only(plan(image), "ELF: e_entry 0x10 is not inside any loadable segment");
    h.e_entry = ~uint64_t{0};
    set_ehdr(image, h);
    expect_only(plan(image), "ELF: e_entry 0xffffffffffffffff is not inside any loadable segment");
}

TEST(ElfProgramHeader, InterpreterRequest)
{
    const Edited e = edit_phdr([](const Bytes& b) { return find_phdr(b, PT_GNU_STACK); },
                               [](Elf64_Phdr& p) { p.p_type = PT_INTERP; });
    expect_only(e.result, ph(e.index) +
                              "PT_INTERP asks for a dynamic linker; only static executables are supported (link "
                              "with -static)");
}

TEST(ElfProgramHeader, DynamicSection)
{
    const Edited e = edit_phdr([](const Bytes& b) { return find_phdr(b, PT_GNU_STACK); },
                               [](Elf64_Phdr& p) { p.p_type = PT_DYNAMIC; });
    expect_only(e.result, ph(e.index) + "PT_DYNAMIC: dynamically linked executables are not supported (link with "
                                        "-static)");
}

TEST(ElfProgramHeader, UnknownTypesAreIgnored)
{
    for (uint32_t type : {uint32_t{PT_TLS}, uint32_t{0x6abcdef0}, uint32_t{0xffffffff}}) {
        const Edited e = edit_phdr([](const Bytes& b) { return find_phdr(b, PT_GNU_STACK); },
                                   [type](Elf64_Phdr& p) { p.p_type = type; });
        EXPECT_TRUE(e.result.ok) << type;
    }
}

TEST(ElfProgramHeader, EmptyLoadSegmentIsSkipped)
{
    const Bytes original = load_program("tiny_static");
    const Edited e = edit_phdr([](const Bytes& b) { return find_phdr(b, PT_NOTE); },
                               [](Elf64_Phdr& p) {
                                   p.p_type = PT_LOAD;
                                   p.p_filesz = 0;
                                   p.p_memsz = 0;
                               });
    ASSERT_TRUE(e.result.ok);
    EXPECT_EQ(e.result.plan.segment_count, plan(original).plan.segment_count);
}

TEST(ElfProgramHeader, EveryBadHeaderIsReported)
{
    Bytes image = load_program("data_static");
    const unsigned code = code_phdr(image), data = data_phdr(image);
    Elf64_Phdr c = phdr(image, code), d = phdr(image, data);
    c.p_flags |= PF_W;
    d.p_memsz = d.p_filesz - 1;
    set_phdr(image, code, c);
    set_phdr(image, data, d);
    const Result r = plan(image);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.diag.messages.size(), 2u) << r.diag.dump();
    EXPECT_REPORTED(r.diag, ("ELF: segment " + std::to_string(code) + " is writable and executable").c_str());
    EXPECT_REPORTED(r.diag, ph(data).c_str(), "p_filesz");
}

// ---- Synthetic images: limits that real programs do not reach ---------------

// An ELF64 header, the given program headers and a page of payload.
Bytes make_elf(const std::vector<Elf64_Phdr>& phdrs, uint64_t entry)
{
    Elf64_Ehdr h{};
    std::memcpy(h.e_ident, ELFMAG, SELFMAG);
    h.e_ident[EI_CLASS] = ELFCLASS64;
    h.e_ident[EI_DATA] = ELFDATA2LSB;
    h.e_ident[EI_VERSION] = EV_CURRENT;
    h.e_type = ET_EXEC;
    h.e_machine = EM_X86_64;
    h.e_version = EV_CURRENT;
    h.e_entry = entry;
    h.e_phoff = sizeof h;
    h.e_ehsize = sizeof h;
    h.e_phentsize = sizeof(Elf64_Phdr);
    h.e_phnum = static_cast<uint16_t>(phdrs.size());
    Bytes b(0x2000, 0xcc);
    std::memcpy(b.data(), &h, sizeof h);
    for (size_t i = 0; i < phdrs.size(); ++i) {
        std::memcpy(b.data() + sizeof h + i * sizeof(Elf64_Phdr), &phdrs[i], sizeof(Elf64_Phdr));
    }
    return b;
}

Elf64_Phdr load(uint64_t vaddr, uint64_t memsz, uint32_t flags, uint64_t offset = 0x1000, uint64_t filesz = 0)
{
    return Elf64_Phdr{PT_LOAD, flags, offset, vaddr, vaddr, filesz, memsz, kPage};
}

std::vector<Elf64_Phdr> pages(unsigned n)
{
    std::vector<Elf64_Phdr> v;
    for (unsigned i = 0; i < n; ++i) {
        v.push_back(load(0x400000 + i * kPage, kPage, i == 0 ? PF_R | PF_X : PF_R, 0x1000, i == 0 ? 0x1000 : 0));
    }
    return v;
}

TEST(ElfSynthetic, SixteenSegmentsFit)
{
    const Result r = plan(make_elf(pages(elf::kMaxSegments), 0x400000));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.plan.segment_count, elf::kMaxSegments);
    EXPECT_EQ(r.plan.lowest_vaddr, 0x400000u);
    EXPECT_EQ(r.plan.highest_vaddr_end, 0x400000u + elf::kMaxSegments * kPage);
}

TEST(ElfSynthetic, SeventeenSegmentsAreTooMany)
{
    expect_only(plan(make_elf(pages(elf::kMaxSegments + 2), 0x400000)),
                "ELF: program header 16: more than 16 PT_LOAD segments");
}

TEST(ElfSynthetic, NothingToLoad)
{
    Elf64_Phdr note{PT_NOTE, PF_R, 0x1000, 0x400000, 0x400000, 0x10, 0x10, 4};
    expect_only(plan(make_elf({note}, 0x400000)), "ELF: no PT_LOAD segment with p_memsz > 0: nothing to load");
    expect_only(plan(make_elf({load(0x400000, 0, PF_R | PF_X)}, 0x400000)),
                "ELF: no PT_LOAD segment with p_memsz > 0: nothing to load");
}

// The example from the interface's documentation, word for word.
TEST(ElfSynthetic, MessageNamesTheHeaderAndField)
{
    std::vector<Elf64_Phdr> v = pages(3);
    v.push_back(load(0x500000, 0x1000, PF_R | PF_W, 0x0, 0x2000));
    expect_only(plan(make_elf(v, 0x400000)), "ELF: program header 3: p_filesz 0x2000 > p_memsz 0x1000");
}

TEST(ElfSynthetic, SegmentEndingExactlyAtTheLimit)
{
    const uint64_t top = kDefaultUserLimit - kPage;
    const Result r = plan(make_elf({load(top, kPage, PF_R | PF_X, 0x1000, 0x1000)}, top));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.plan.highest_vaddr_end, kDefaultUserLimit);
}

} // namespace
} // namespace atoll_os::test
