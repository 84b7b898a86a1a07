// ksym_lookup over table images built in memory, plus a table written by
// tools/gen_ksymtab.py from this very test binary (see CMakeLists.txt).
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/debug/ksymtab.hpp"

// Known functions for the generated-table test: C names, not inlined.
extern "C" [[gnu::noinline]] int atoll_klib_ksym_probe_anchor(int x);
extern "C" [[gnu::noinline]] int atoll_klib_ksym_probe_target(int x);
extern "C" [[gnu::noinline]] int atoll_klib_ksym_probe_anchor(int x) { return x * 3 + 1; }
extern "C" [[gnu::noinline]] int atoll_klib_ksym_probe_target(int x)
{
    // Long enough that +16 is still inside it.
    int acc = x;
    for (int i = 0; i < x; ++i) acc = acc * 7 + i;
    return acc;
}

namespace atoll_os::klib_test {
namespace {

struct Sym {
    uint64_t address;
    uint32_t size;
    std::string name;
};

// A table image in 8-byte aligned storage, with knobs to corrupt it.
class Image {
public:
    explicit Image(const std::vector<Sym>& syms)
    {
        std::vector<uint8_t> strings;
        std::vector<KsymEntry> entries;
        for (const Sym& s : syms) {
            entries.push_back(KsymEntry{s.address, s.size, uint32_t(strings.size())});
            strings.insert(strings.end(), s.name.begin(), s.name.end());
            strings.push_back(0);
        }
        KsymHeader hdr{kKsymMagic, uint32_t(entries.size()),
                       uint32_t(sizeof(KsymHeader) + entries.size() * sizeof(KsymEntry)), 0};
        bytes_.resize(sizeof hdr + entries.size() * sizeof(KsymEntry) + strings.size());
        std::memcpy(bytes_.data(), &hdr, sizeof hdr);
        if (!entries.empty())
            std::memcpy(bytes_.data() + sizeof hdr, entries.data(), entries.size() * sizeof(KsymEntry));
        if (!strings.empty()) std::memcpy(bytes_.data() + hdr.strings_offset, strings.data(), strings.size());
        size_ = bytes_.size();
        // Exact-size heap storage (malloc-aligned) so ASan sees the end.
        heap_.reset(new uint8_t[bytes_.size()]);
        resync();
    }

    KsymHeader& header() { return *reinterpret_cast<KsymHeader*>(bytes_.data()); }
    KsymEntry& entry(size_t i)
    {
        return *reinterpret_cast<KsymEntry*>(bytes_.data() + sizeof(KsymHeader) + i * sizeof(KsymEntry));
    }
    size_t size() const { return size_; }
    void set_size(size_t n) { size_ = n; }

    SymbolHit lookup(uint64_t address)
    {
        resync();
        return ksym_lookup(heap_.get(), size_, address);
    }

private:
    void resync() { std::memcpy(heap_.get(), bytes_.data(), bytes_.size()); }

    std::vector<uint8_t> bytes_;
    std::unique_ptr<uint8_t[]> heap_;
    size_t size_;
};

std::string name_of(SymbolHit hit) { return hit.name ? hit.name : "(unknown)"; }

const std::vector<Sym> kSyms = {
    {0xffffffff80100000, 0x40, "_start"},
    {0xffffffff80100040, 0x100, "atoll_os::panic(char const*, ...)"},
    {0xffffffff80100200, 0x20, "atoll_os::klog(char const*, ...)"},
    {0xffffffff80100300, 0, "trampoline_start"},
    {0xffffffff80100400, 0x10, "memcpy"},
};

TEST(KlibKsymtab, ExactStartHasOffsetZero)
{
    Image img(kSyms);
    for (const Sym& s : kSyms) {
        SymbolHit hit = img.lookup(s.address);
        EXPECT_EQ(name_of(hit), s.name);
        EXPECT_EQ(hit.offset, 0u);
    }
}

TEST(KlibKsymtab, InsideSymbolGivesOffset)
{
    Image img(kSyms);
    SymbolHit hit = img.lookup(0xffffffff80100040 + 0x37);
    EXPECT_EQ(name_of(hit), "atoll_os::panic(char const*, ...)");
    EXPECT_EQ(hit.offset, 0x37u);
    hit = img.lookup(0xffffffff80100040 + 0xff);
    EXPECT_EQ(name_of(hit), "atoll_os::panic(char const*, ...)");
    EXPECT_EQ(hit.offset, 0xffu);
}

TEST(KlibKsymtab, AtOrPastSizeIsUnknown)
{
    Image img(kSyms);
    EXPECT_EQ(img.lookup(0xffffffff80100140).name, nullptr); // panic + size
    EXPECT_EQ(img.lookup(0xffffffff801001ff).name, nullptr); // gap before klog
    EXPECT_EQ(img.lookup(0xffffffff80100220).name, nullptr); // klog + size
    EXPECT_EQ(img.lookup(0xffffffff80100410).name, nullptr); // last symbol + size
    EXPECT_EQ(img.lookup(~uint64_t{0}).name, nullptr);
}

TEST(KlibKsymtab, BeforeFirstSymbolIsUnknown)
{
    Image img(kSyms);
    EXPECT_EQ(img.lookup(0xffffffff800fffff).name, nullptr);
    EXPECT_EQ(img.lookup(0).name, nullptr);
}

TEST(KlibKsymtab, ZeroSizeSymbolMatchesUntilNext)
{
    Image img(kSyms);
    SymbolHit hit = img.lookup(0xffffffff801003ff);
    EXPECT_EQ(name_of(hit), "trampoline_start");
    EXPECT_EQ(hit.offset, 0xffu);
    EXPECT_EQ(name_of(img.lookup(0xffffffff80100400)), "memcpy");
}

TEST(KlibKsymtab, LastZeroSizeSymbolMatchesEverythingAfter)
{
    Image img({{0x1000, 0x10, "a"}, {0x2000, 0, "tail"}});
    SymbolHit hit = img.lookup(0x2000 + 0x123456);
    EXPECT_EQ(name_of(hit), "tail");
    EXPECT_EQ(hit.offset, 0x123456u);
}

TEST(KlibKsymtab, SingleSymbolTable)
{
    Image img({{0x1000, 0x10, "only"}});
    EXPECT_EQ(name_of(img.lookup(0x1008)), "only");
    EXPECT_EQ(img.lookup(0xfff).name, nullptr);
    EXPECT_EQ(img.lookup(0x1010).name, nullptr);
}

TEST(KlibKsymtab, ManySymbolsBinarySearchFindsEach)
{
    std::vector<Sym> syms;
    for (uint32_t i = 0; i < 1000; ++i)
        syms.push_back({0x400000 + 0x40ull * i + (i % 3) * 8, 0x20, "f" + std::to_string(i)});
    Image img(syms);
    for (uint32_t i = 0; i < 1000; ++i) {
        SymbolHit hit = img.lookup(syms[i].address + 0x1f);
        ASSERT_EQ(name_of(hit), syms[i].name) << i;
        ASSERT_EQ(hit.offset, 0x1fu);
        ASSERT_EQ(img.lookup(syms[i].address + 0x20).name, nullptr) << i;
    }
}

TEST(KlibKsymtab, EmptyTableFindsNothing)
{
    Image img({});
    EXPECT_EQ(img.size(), sizeof(KsymHeader));
    EXPECT_EQ(img.lookup(0x1000).name, nullptr);
}

TEST(KlibKsymtab, TableSmallerThanHeaderFindsNothing)
{
    Image img(kSyms);
    img.set_size(sizeof(KsymHeader) - 1);
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
    img.set_size(0);
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, BadMagicFindsNothing)
{
    Image img(kSyms);
    img.header().magic = 0x4d59534c;
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, TruncatedEntriesFindNothing)
{
    Image img(kSyms);
    img.set_size(sizeof(KsymHeader) + 3 * sizeof(KsymEntry));
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, HugeCountFindsNothing)
{
    Image img(kSyms);
    img.header().count = 0xffffffff;
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, StringsOffsetPastEndFindsNothing)
{
    Image img(kSyms);
    img.header().strings_offset = uint32_t(img.size() + 1);
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
    img.header().strings_offset = 0xffffffff;
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, StringsOffsetInsideEntriesFindsNothing)
{
    Image img(kSyms);
    img.header().strings_offset = sizeof(KsymHeader) + sizeof(KsymEntry);
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, StringsCutOffByTableSizeFindNothing)
{
    // Entries intact, string area (and strings_offset) beyond the given size.
    Image img(kSyms);
    img.set_size(img.header().strings_offset - 1);
    EXPECT_EQ(img.lookup(0xffffffff80100000).name, nullptr);
}

TEST(KlibKsymtab, NameOffsetPastEndIsUnknown)
{
    Image img(kSyms);
    img.entry(1).name_offset = uint32_t(img.size());
    EXPECT_EQ(img.lookup(0xffffffff80100040).name, nullptr);
    img.entry(1).name_offset = 0xffffffff;
    EXPECT_EQ(img.lookup(0xffffffff80100040).name, nullptr);
    EXPECT_EQ(name_of(img.lookup(0xffffffff80100000)), "_start") << "other entries still work";
}

TEST(KlibKsymtab, NameOffsetAtLastByteIsInRange)
{
    Image img(kSyms);
    // Points at the final NUL: an empty but valid name.
    img.entry(0).name_offset = uint32_t(img.size() - img.header().strings_offset - 1);
    SymbolHit hit = img.lookup(0xffffffff80100000);
    ASSERT_NE(hit.name, nullptr);
    EXPECT_STREQ(hit.name, "");
}

// ---- the generator, end to end --------------------------------------------

std::vector<uint64_t> read_generated_table(size_t& size)
{
    std::ifstream in(ATOLL_KLIB_TEST_KSYMTAB, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size = bytes.size();
    std::vector<uint64_t> words((size + 7) / 8);
    if (size) std::memcpy(words.data(), bytes.data(), size);
    return words;
}

// Address the generator recorded for `name`, 0 if absent.
uint64_t table_address_of(const std::vector<uint64_t>& words, size_t size, const char* name)
{
    auto* bytes = reinterpret_cast<const uint8_t*>(words.data());
    KsymHeader hdr;
    std::memcpy(&hdr, bytes, sizeof hdr);
    for (uint32_t i = 0; i < hdr.count; ++i) {
        KsymEntry e;
        std::memcpy(&e, bytes + sizeof hdr + i * sizeof e, sizeof e);
        size_t at = size_t(hdr.strings_offset) + e.name_offset;
        if (at < size && std::strcmp(reinterpret_cast<const char*>(bytes + at), name) == 0) return e.address;
    }
    return 0;
}

TEST(KlibKsymtab, GeneratedTableNamesThisBinarysFunctions)
{
    size_t size = 0;
    std::vector<uint64_t> table = read_generated_table(size);
    ASSERT_GE(size, sizeof(KsymHeader)) << "missing " << ATOLL_KLIB_TEST_KSYMTAB;
    KsymHeader hdr;
    std::memcpy(&hdr, table.data(), sizeof hdr);
    EXPECT_EQ(hdr.magic, kKsymMagic);
    EXPECT_GT(hdr.count, 100u);

    // The binary may be position independent: find the load bias from one
    // function, then check another one through ksym_lookup.
    uint64_t anchor_link = table_address_of(table, size, "atoll_klib_ksym_probe_anchor");
    ASSERT_NE(anchor_link, 0u);
    uint64_t bias = reinterpret_cast<uint64_t>(&atoll_klib_ksym_probe_anchor) - anchor_link;
    uint64_t target = reinterpret_cast<uint64_t>(&atoll_klib_ksym_probe_target) - bias;

    SymbolHit hit = ksym_lookup(table.data(), size, target);
    EXPECT_EQ(name_of(hit), "atoll_klib_ksym_probe_target");
    EXPECT_EQ(hit.offset, 0u);
    hit = ksym_lookup(table.data(), size, target + 16);
    EXPECT_EQ(name_of(hit), "atoll_klib_ksym_probe_target");
    EXPECT_EQ(hit.offset, 16u);
}

TEST(KlibKsymtab, GeneratedTableHasDemangledSortedEntries)
{
    size_t size = 0;
    std::vector<uint64_t> table = read_generated_table(size);
    ASSERT_GE(size, sizeof(KsymHeader));
    KsymHeader hdr;
    std::memcpy(&hdr, table.data(), sizeof hdr);
    ASSERT_EQ(hdr.strings_offset, sizeof(KsymHeader) + size_t(hdr.count) * sizeof(KsymEntry));
    auto* bytes = reinterpret_cast<const uint8_t*>(table.data());
    uint64_t prev = 0;
    for (uint32_t i = 0; i < hdr.count; ++i) {
        KsymEntry e;
        std::memcpy(&e, bytes + sizeof hdr + i * sizeof e, sizeof e);
        ASSERT_GT(e.address, i ? prev : 0) << "entry " << i << " not strictly ascending";
        prev = e.address;
        ASSERT_LT(hdr.strings_offset + e.name_offset, size);
    }
    EXPECT_EQ(bytes[size - 1], 0) << "the last name is NUL-terminated";
    EXPECT_NE(table_address_of(table, size, "atoll_os::ksym_lookup(void const*, unsigned long, unsigned long)"), 0u);
}

} // namespace
TEST(KlibKsymtab, NameWithoutTerminatorInsideTheTableIsUnknown)
{
    // Cut the table inside the last name: its NUL is gone.
    Image img(kSyms);
    img.set_size(img.size() - 2);
    EXPECT_EQ(img.lookup(0xffffffff80100404).name, nullptr);
    EXPECT_EQ(name_of(img.lookup(0xffffffff80100000)), "_start");
}

} // namespace atoll_os::klib_test
