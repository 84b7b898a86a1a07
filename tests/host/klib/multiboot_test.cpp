// parse_multiboot on hand-built loader structures. A heap buffer stands in
// for physical memory: phys address = offset into it, virt_offset = its
// address, phys_limit = its size, so any read past the limit is an ASan
// heap-buffer-overflow.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/boot/multiboot.hpp"
#include "tests/host/common/collect_diag.hpp"

namespace atoll_os::klib_test {
using test::CollectDiag;
namespace {

class PhysMem {
public:
    explicit PhysMem(size_t size) : bytes_(new uint8_t[size]()), size_(size) {}

    uint64_t size() const { return size_; }
    uint64_t virt_offset() const { return reinterpret_cast<uint64_t>(bytes_.get()); }

    void put(uint64_t at, const void* data, size_t len)
    {
        ASSERT_LE(at + len, size_) << "test bug: write past the buffer";
        std::memcpy(bytes_.get() + at, data, len);
    }
    void put32(uint64_t at, uint32_t v) { put(at, &v, 4); }
    void put64(uint64_t at, uint64_t v) { put(at, &v, 8); }
    void put_string(uint64_t at, const std::string& s) { put(at, s.c_str(), s.size() + 1); }
    void put_bytes(uint64_t at, const std::vector<uint8_t>& b) { put(at, b.data(), b.size()); }
    void fill(uint64_t at, uint8_t value, size_t len)
    {
        ASSERT_LE(at + len, size_);
        std::memset(bytes_.get() + at, value, len);
    }

private:
    std::unique_ptr<uint8_t[]> bytes_;
    size_t size_;
};

struct Parse {
    std::unique_ptr<BootInfo> info = std::make_unique<BootInfo>();
    LoaderExtras extras{};
    CollectDiag diag;
    bool ok = false;

    void run(const PhysMem& mem, uint32_t magic, uint64_t info_phys)
    {
        run(mem, magic, info_phys, mem.size());
    }
    void run(const PhysMem& mem, uint32_t magic, uint64_t info_phys, uint64_t phys_limit)
    {
        ok = parse_multiboot(magic, info_phys, mem.virt_offset(), phys_limit, *info, extras, diag);
    }
};

// ---- multiboot v1 ------------------------------------------------------

constexpr uint32_t kV1Cmdline = 1u << 2;
constexpr uint32_t kV1Mods = 1u << 3;
constexpr uint32_t kV1Mmap = 1u << 6;
constexpr uint64_t kV1InfoSize = 52;

struct V1Entry {
    uint64_t base, len;
    uint32_t type;
};

// Writes the v1 info structure at `at`.
void put_v1_info(PhysMem& mem, uint64_t at, uint32_t flags, uint32_t cmdline, uint32_t mods_count, uint32_t mods_addr,
                 uint32_t mmap_length, uint32_t mmap_addr)
{
    mem.put32(at + 0, flags);
    mem.put32(at + 4, 639);        // mem_lower
    mem.put32(at + 8, 129920);     // mem_upper
    mem.put32(at + 12, 0xffffffff); // boot_device
    mem.put32(at + 16, cmdline);
    mem.put32(at + 20, mods_count);
    mem.put32(at + 24, mods_addr);
    mem.put32(at + 44, mmap_length);
    mem.put32(at + 48, mmap_addr);
}

// Writes v1 memory map entries with the given size field; returns mmap_length.
uint32_t put_v1_mmap(PhysMem& mem, uint64_t at, const std::vector<V1Entry>& entries, uint32_t size_field = 20)
{
    uint64_t p = at;
    for (const V1Entry& e : entries) {
        mem.put32(p, size_field);
        mem.put64(p + 4, e.base);
        mem.put64(p + 12, e.len);
        mem.put32(p + 20, e.type);
        p += size_field + 4;
    }
    return uint32_t(p - at);
}

void put_v1_module(PhysMem& mem, uint64_t at, uint32_t start, uint32_t end, uint32_t name)
{
    mem.put32(at, start);
    mem.put32(at + 4, end);
    mem.put32(at + 8, name);
    mem.put32(at + 12, 0);
}

const std::vector<V1Entry> kQemuMap = {
    {0x0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0x100000, 0x7ee0000, 1}, {0xfffc0000, 0x40000, 2}};

// A complete v1 structure the way QEMU -kernel passes it.
PhysMem qemu_v1(uint64_t info_at = 0x100)
{
    PhysMem mem(0x4000);
    mem.put_string(0x400, "build/kernel/atoll.mb test=all");
    put_v1_module(mem, 0x500, 0x200000, 0x201234, 0x600);
    put_v1_module(mem, 0x510, 0x202000, 0x203000, 0x620);
    mem.put_string(0x600, "initrd.img");
    mem.put_string(0x620, "second");
    uint32_t len = put_v1_mmap(mem, 0x800, kQemuMap);
    put_v1_info(mem, info_at, kV1Cmdline | kV1Mods | kV1Mmap, 0x400, 2, 0x500, len, 0x800);
    return mem;
}

TEST(KlibMultiboot, V1ReadsCmdlineModulesAndMemoryMap)
{
    PhysMem mem = qemu_v1();
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_TRUE(p.diag.messages.empty()) << p.diag.all();
    EXPECT_EQ(p.info->loader_magic, kMultiboot1Magic);
    EXPECT_STREQ(p.info->cmdline, "build/kernel/atoll.mb test=all");

    ASSERT_EQ(p.info->module_count, 2u);
    EXPECT_EQ(p.info->modules[0].base, 0x200000u);
    EXPECT_EQ(p.info->modules[0].end, 0x201234u);
    EXPECT_STREQ(p.info->modules[0].name, "initrd.img");
    EXPECT_EQ(p.info->modules[1].base, 0x202000u);
    EXPECT_STREQ(p.info->modules[1].name, "second");

    ASSERT_EQ(p.info->memory_map_count, kQemuMap.size());
    for (size_t i = 0; i < kQemuMap.size(); ++i) {
        EXPECT_EQ(p.info->memory_map[i].base, kQemuMap[i].base) << i;
        EXPECT_EQ(p.info->memory_map[i].length, kQemuMap[i].len) << i;
        EXPECT_EQ(p.info->memory_map[i].type, kQemuMap[i].type) << i;
    }
}

TEST(KlibMultiboot, V1RecordsWhereTheInfoStructureIs)
{
    PhysMem mem = qemu_v1(0x200);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x200);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.extras.info.base, 0x200u);
    EXPECT_EQ(p.extras.info.end, 0x200u + kV1InfoSize);
    EXPECT_EQ(p.extras.rsdp_len, 0u) << "v1 carries no RSDP: search the BIOS areas";
}

TEST(KlibMultiboot, V1IgnoresCmdlineAndModulesWithoutTheirFlags)
{
    PhysMem mem = qemu_v1();
    mem.put32(0x100, kV1Mmap);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_STREQ(p.info->cmdline, "");
    EXPECT_EQ(p.info->module_count, 0u);
    EXPECT_EQ(p.info->memory_map_count, kQemuMap.size());
}

TEST(KlibMultiboot, V1WithoutMemoryMapFlagFailsWithReport)
{
    PhysMem mem = qemu_v1();
    mem.put32(0x100, kV1Cmdline | kV1Mods);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("no memory map")) << p.diag.all();
}

TEST(KlibMultiboot, V1HonoursLargerEntrySizeField)
{
    PhysMem mem = qemu_v1();
    mem.fill(0x800, 0xee, 0x200); // padding bytes are garbage
    uint32_t len = put_v1_mmap(mem, 0x800, kQemuMap, 28);
    mem.put32(0x100 + 44, len);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->memory_map_count, kQemuMap.size());
    EXPECT_EQ(p.info->memory_map[3].base, 0xfffc0000u);
    EXPECT_EQ(p.info->memory_map[3].type, 2u);
}

TEST(KlibMultiboot, V1EntrySizeBelowTwentyFailsWithReport)
{
    PhysMem mem = qemu_v1();
    mem.put32(0x800 + 24, 16); // the second entry
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("size 16")) << p.diag.all();
}

TEST(KlibMultiboot, V1ZeroEntrySizeFailsInsteadOfLooping)
{
    PhysMem mem = qemu_v1();
    mem.put32(0x800, 0);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("expected >= 20")) << p.diag.all();
}

TEST(KlibMultiboot, V1EmptyMemoryMapGivesNoEntries)
{
    PhysMem mem = qemu_v1();
    mem.put32(0x100 + 44, 0);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.info->memory_map_count, 0u);
}

TEST(KlibMultiboot, V1InfoPastPhysLimitIsUnreadable)
{
    PhysMem mem(0x1000);
    Parse p;
    p.run(mem, kMultiboot1Magic, mem.size() - 20); // only 20 of 52 bytes exist
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("unreadable")) << p.diag.all();
    Parse q;
    q.run(mem, kMultiboot1Magic, ~uint64_t{0} - 8); // phys + len would wrap
    EXPECT_FALSE(q.ok);
}

TEST(KlibMultiboot, V1RespectsPhysLimitBelowBufferEnd)
{
    PhysMem mem = qemu_v1();
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100, 0x800 + 30); // the map starts but its first entry is cut
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("memory map entry at 0x818 is unreadable")) << p.diag.all();
}

TEST(KlibMultiboot, V1MemoryMapPastPhysLimitFails)
{
    PhysMem mem(0x1000);
    uint64_t map_at = mem.size() - 24 - 10; // second entry cut off by the end of memory
    put_v1_mmap(mem, map_at, {{0, 0x9fc00, 1}});
    put_v1_info(mem, 0x100, kV1Mmap, 0, 0, 0, 48, uint32_t(map_at));
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("unreadable")) << p.diag.all();
}

TEST(KlibMultiboot, V1CmdlineRunningIntoPhysLimitStaysTerminated)
{
    PhysMem mem = qemu_v1();
    // No NUL before the end of memory.
    mem.fill(mem.size() - 10, 'x', 10);
    mem.put32(0x100 + 16, uint32_t(mem.size() - 10));
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    EXPECT_TRUE(p.ok) << p.diag.all();
    EXPECT_LT(strnlen(p.info->cmdline, kCmdlineMax), kCmdlineMax);
    EXPECT_EQ(std::string(p.info->cmdline).find_first_not_of('x'), std::string::npos);
}

TEST(KlibMultiboot, V1LongCmdlineIsTruncated)
{
    PhysMem mem = qemu_v1();
    mem.put_string(0x2000, std::string(2 * kCmdlineMax, 'a'));
    mem.put32(0x100 + 16, 0x2000);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(strnlen(p.info->cmdline, kCmdlineMax), kCmdlineMax - 1);
}

TEST(KlibMultiboot, V1LongModuleNameIsTruncated)
{
    PhysMem mem = qemu_v1();
    mem.put_string(0x2000, std::string(200, 'm'));
    mem.put32(0x500 + 8, 0x2000);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(std::string(p.info->modules[0].name), std::string(sizeof p.info->modules[0].name - 1, 'm'));
}

TEST(KlibMultiboot, V1ModuleNamePastPhysLimitIsEmpty)
{
    PhysMem mem = qemu_v1();
    mem.fill(mem.size() - 4, 'n', 4);
    mem.put32(0x500 + 8, uint32_t(mem.size() - 4));
    mem.put32(0x510 + 8, 0x7fffffff);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->module_count, 2u);
    EXPECT_STREQ(p.info->modules[0].name, "");
    EXPECT_STREQ(p.info->modules[1].name, "");
}

TEST(KlibMultiboot, V1ModuleDescriptorsPastPhysLimitAreReported)
{
    PhysMem mem = qemu_v1();
    put_v1_module(mem, mem.size() - 16, 0x300000, 0x301000, 0x600);
    mem.put32(0x100 + 20, 3);                            // the second and third are past the end
    mem.put32(0x100 + 24, uint32_t(mem.size() - 16));
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->module_count, 1u);
    EXPECT_EQ(p.info->modules[0].base, 0x300000u);
    EXPECT_TRUE(p.diag.mentions("module 1 descriptor is unreadable")) << p.diag.all();
}

TEST(KlibMultiboot, V1ModuleEndingBeforeItStartsIsSkipped)
{
    PhysMem mem = qemu_v1();
    put_v1_module(mem, 0x500, 0x300000, 0x200000, 0x600);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->module_count, 1u);
    EXPECT_STREQ(p.info->modules[0].name, "second");
    EXPECT_TRUE(p.diag.mentions("ends (0x200000) before it starts (0x300000)")) << p.diag.all();
}

TEST(KlibMultiboot, V1MoreModulesThanFitAreCappedAndReported)
{
    PhysMem mem(0x4000);
    const uint32_t n = kMaxBootModules + 3;
    for (uint32_t i = 0; i < n; ++i) put_v1_module(mem, 0x1000 + 16 * i, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000, 0x600);
    mem.put_string(0x600, "mod");
    uint32_t len = put_v1_mmap(mem, 0x800, kQemuMap);
    put_v1_info(mem, 0x100, kV1Mods | kV1Mmap, 0, n, 0x1000, len, 0x800);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.info->module_count, kMaxBootModules);
    EXPECT_EQ(p.info->modules[kMaxBootModules - 1].base, 0x100000u * kMaxBootModules);
    EXPECT_TRUE(p.diag.mentions("more than 32 modules")) << p.diag.all();
}

TEST(KlibMultiboot, V1MoreMapEntriesThanFitAreCappedAndReported)
{
    PhysMem mem(0x4000);
    std::vector<V1Entry> entries;
    for (uint32_t i = 0; i < kMaxMemoryMapEntries + 10; ++i) entries.push_back({0x100000ull * i, 0x1000, 1 + i % 2});
    uint32_t len = put_v1_mmap(mem, 0x400, entries);
    put_v1_info(mem, 0x100, kV1Mmap, 0, 0, 0, len, 0x400);
    Parse p;
    p.run(mem, kMultiboot1Magic, 0x100);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->memory_map_count, kMaxMemoryMapEntries);
    EXPECT_EQ(p.info->memory_map[kMaxMemoryMapEntries - 1].base, 0x100000ull * (kMaxMemoryMapEntries - 1));
    EXPECT_TRUE(p.diag.mentions("more than 128 entries")) << p.diag.all();
    EXPECT_EQ(p.diag.messages.size(), 1u) << "one report, not one per dropped entry:\n" << p.diag.all();
}

// ---- multiboot2 ---------------------------------------------------------

// Builds a multiboot2 information structure: 8-byte header, 8-aligned tags.
class V2Builder {
public:
    V2Builder() : data_(8, 0) {}

    V2Builder& tag(uint32_t type, const std::vector<uint8_t>& body, uint32_t size_override = 0)
    {
        append32(type);
        append32(size_override ? size_override : uint32_t(8 + body.size()));
        data_.insert(data_.end(), body.begin(), body.end());
        while (data_.size() % 8) data_.push_back(0);
        return *this;
    }
    V2Builder& cmdline(const std::string& s) { return tag(1, bytes(s.c_str(), s.size() + 1)); }
    V2Builder& module(uint32_t start, uint32_t end, const std::string& name)
    {
        std::vector<uint8_t> body = bytes(&start, 4);
        append(body, &end, 4);
        append(body, name.c_str(), name.size() + 1);
        return tag(3, body);
    }
    V2Builder& mmap(const std::vector<V1Entry>& entries, uint32_t entry_size = 24)
    {
        std::vector<uint8_t> body;
        uint32_t version = 0;
        append(body, &entry_size, 4);
        append(body, &version, 4);
        for (const V1Entry& e : entries) {
            std::vector<uint8_t> ent(entry_size < 24 ? 24 : entry_size, 0xcc);
            std::memcpy(ent.data(), &e.base, 8);
            std::memcpy(ent.data() + 8, &e.len, 8);
            std::memcpy(ent.data() + 16, &e.type, 4);
            std::memset(ent.data() + 20, 0, 4);
            ent.resize(entry_size);
            body.insert(body.end(), ent.begin(), ent.end());
        }
        return tag(6, body);
    }
    V2Builder& rsdp(uint32_t type, uint8_t fill, size_t len) { return tag(type, std::vector<uint8_t>(len, fill)); }

    // Appends the end tag and fills in total_size.
    std::vector<uint8_t> finish(bool end_tag = true)
    {
        if (end_tag) tag(0, {});
        std::vector<uint8_t> out = data_;
        uint32_t total = uint32_t(out.size());
        std::memcpy(out.data(), &total, 4);
        return out;
    }

    static std::vector<uint8_t> bytes(const void* p, size_t n)
    {
        auto* b = static_cast<const uint8_t*>(p);
        return std::vector<uint8_t>(b, b + n);
    }

private:
    static void append(std::vector<uint8_t>& v, const void* p, size_t n)
    {
        auto* b = static_cast<const uint8_t*>(p);
        v.insert(v.end(), b, b + n);
    }
    void append32(uint32_t v) { append(data_, &v, 4); }

    std::vector<uint8_t> data_;
};

constexpr uint64_t kV2At = 0x1000;

// The info placed at kV2At in a buffer that ends `slack` bytes after it.
PhysMem place(const std::vector<uint8_t>& info, uint64_t slack = 0x100)
{
    PhysMem mem(kV2At + info.size() + slack);
    mem.put_bytes(kV2At, info);
    return mem;
}

TEST(KlibMultiboot, V2ReadsCmdlineModuleAndMemoryMap)
{
    auto info = V2Builder()
                    .cmdline("console=ttyS0 test=all")
                    .module(0x400000, 0x4a3210, "initrd")
                    .mmap(kQemuMap)
                    .finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_TRUE(p.diag.messages.empty()) << p.diag.all();
    EXPECT_EQ(p.info->loader_magic, kMultiboot2Magic);
    EXPECT_STREQ(p.info->cmdline, "console=ttyS0 test=all");
    ASSERT_EQ(p.info->module_count, 1u);
    EXPECT_EQ(p.info->modules[0].base, 0x400000u);
    EXPECT_EQ(p.info->modules[0].end, 0x4a3210u);
    EXPECT_STREQ(p.info->modules[0].name, "initrd");
    ASSERT_EQ(p.info->memory_map_count, kQemuMap.size());
    for (size_t i = 0; i < kQemuMap.size(); ++i) {
        EXPECT_EQ(p.info->memory_map[i].base, kQemuMap[i].base) << i;
        EXPECT_EQ(p.info->memory_map[i].length, kQemuMap[i].len) << i;
        EXPECT_EQ(p.info->memory_map[i].type, kQemuMap[i].type) << i;
    }
    EXPECT_EQ(p.extras.info.base, kV2At);
    EXPECT_EQ(p.extras.info.end, kV2At + info.size());
    EXPECT_EQ(p.extras.rsdp_len, 0u);
}

TEST(KlibMultiboot, V2SkipsUnknownTags)
{
    auto info = V2Builder()
                    .tag(21, {0, 0, 0x10, 0})      // load base address
                    .tag(2, {'G', 'R', 'U', 'B', 0}) // boot loader name
                    .mmap(kQemuMap)
                    .tag(99, std::vector<uint8_t>(13, 0xab))
                    .cmdline("quiet")
                    .finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_STREQ(p.info->cmdline, "quiet");
    EXPECT_EQ(p.info->memory_map_count, kQemuMap.size());
}

TEST(KlibMultiboot, V2HonoursLargerEntrySize)
{
    auto info = V2Builder().mmap(kQemuMap, 40).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->memory_map_count, kQemuMap.size());
    EXPECT_EQ(p.info->memory_map[2].base, 0x100000u);
    EXPECT_EQ(p.info->memory_map[2].length, 0x7ee0000u);
}

TEST(KlibMultiboot, V2CmdlineIsBoundedByItsTag)
{
    // An 8-byte body without NUL, followed directly by non-zero tag bytes.
    auto info = V2Builder().tag(1, {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}).tag(77, {1, 2, 3}).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_STREQ(p.info->cmdline, "abcdefgh");
}

TEST(KlibMultiboot, V2LongCmdlineIsTruncated)
{
    auto info = V2Builder().cmdline(std::string(3 * kCmdlineMax, 'c')).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(strnlen(p.info->cmdline, kCmdlineMax), kCmdlineMax - 1);
}

TEST(KlibMultiboot, V2ModuleTagTooShortIsIgnored)
{
    auto info = V2Builder().tag(3, {1, 2, 3, 4}).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.info->module_count, 0u);
}

TEST(KlibMultiboot, V2OldRsdpIsCopied)
{
    auto info = V2Builder().rsdp(14, 0x11, 20).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.extras.rsdp_len, 20u);
    for (unsigned i = 0; i < 20; ++i) EXPECT_EQ(p.extras.rsdp[i], 0x11) << i;
}

TEST(KlibMultiboot, V2NewRsdpIsPreferredWhenItComesFirst)
{
    auto info = V2Builder().rsdp(15, 0x22, 36).rsdp(14, 0x11, 20).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.extras.rsdp_len, 36u);
    for (unsigned i = 0; i < 36; ++i) EXPECT_EQ(p.extras.rsdp[i], 0x22) << i;
}

TEST(KlibMultiboot, V2NewRsdpIsPreferredWhenItComesSecond)
{
    auto info = V2Builder().rsdp(14, 0x11, 20).rsdp(15, 0x22, 36).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.extras.rsdp_len, 36u);
    for (unsigned i = 0; i < 36; ++i) EXPECT_EQ(p.extras.rsdp[i], 0x22) << i;
}

TEST(KlibMultiboot, V2OversizedRsdpTagIsCappedToTheCopy)
{
    auto info = V2Builder().rsdp(15, 0x33, 64).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.extras.rsdp_len, sizeof p.extras.rsdp);
}

TEST(KlibMultiboot, V2RsdpLenIsResetBetweenParses)
{
    LoaderExtras extras{};
    extras.rsdp_len = 36; // stale from an earlier call
    auto info = V2Builder().mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    auto boot = std::make_unique<BootInfo>();
    CollectDiag diag;
    ASSERT_TRUE(parse_multiboot(kMultiboot2Magic, kV2At, mem.virt_offset(), mem.size(), *boot, extras, diag));
    EXPECT_EQ(extras.rsdp_len, 0u);
}

TEST(KlibMultiboot, V2TagSizePastEndFails)
{
    auto info = V2Builder().mmap(kQemuMap).tag(1, {'x', 0}, 0x1000).finish();
    PhysMem mem = place(info, 0);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("past the end")) << p.diag.all();
}

TEST(KlibMultiboot, V2TagSizeBelowHeaderFails)
{
    auto info = V2Builder().tag(1, {'x', 0}, 4).mmap(kQemuMap).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("size 4")) << p.diag.all();
}

TEST(KlibMultiboot, V2EntrySizeBelowTwentyFourFails)
{
    auto info = V2Builder().mmap(kQemuMap, 20).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("entry size 20")) << p.diag.all();
}

TEST(KlibMultiboot, V2EntrySizeZeroFailsInsteadOfLooping)
{
    auto info = V2Builder().mmap({}, 0).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
}

TEST(KlibMultiboot, V2PartialTrailingMapEntryIsIgnored)
{
    // entry_size 24, one whole entry, then 16 bytes of a second one.
    std::vector<uint8_t> body(8 + 24 + 16, 0);
    body[0] = 24;
    body[8 + 9] = 0x10;  // length 0x1000
    body[8 + 16] = 1;    // usable
    std::memset(body.data() + 32, 0xaa, 16);
    auto info = V2Builder().tag(6, body).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->memory_map_count, 1u);
    EXPECT_EQ(p.info->memory_map[0].length, 0x1000u);
    EXPECT_EQ(p.info->memory_map[0].type, 1u);
}

TEST(KlibMultiboot, V2MissingMemoryMapFails)
{
    auto info = V2Builder().cmdline("test=all").module(0x400000, 0x401000, "m").finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("no memory map tag")) << p.diag.all();
    EXPECT_STREQ(p.info->cmdline, "test=all") << "tags before the failure are still read";
}

TEST(KlibMultiboot, V2EndTagStopsTheWalk)
{
    auto info = V2Builder().mmap(kQemuMap).tag(0, {}).cmdline("after end").finish(false);
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_STREQ(p.info->cmdline, "");
}

TEST(KlibMultiboot, V2WithoutEndTagStopsAtTotalSize)
{
    auto info = V2Builder().mmap(kQemuMap).finish(false);
    PhysMem mem = place(info, 0);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    EXPECT_EQ(p.info->memory_map_count, kQemuMap.size());
}

TEST(KlibMultiboot, V2TotalSizeTooSmallFails)
{
    auto info = V2Builder().mmap(kQemuMap).finish();
    uint32_t total = 8;
    std::memcpy(info.data(), &total, 4);
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("unusable total size")) << p.diag.all();
}

TEST(KlibMultiboot, V2TotalSizePastPhysLimitFails)
{
    auto info = V2Builder().mmap(kQemuMap).finish();
    uint32_t total = uint32_t(info.size() + 64);
    std::memcpy(info.data(), &total, 4);
    PhysMem mem = place(info, 0);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("unusable total size")) << p.diag.all();
}

TEST(KlibMultiboot, V2InfoPastPhysLimitFails)
{
    PhysMem mem(0x1000);
    Parse p;
    p.run(mem, kMultiboot2Magic, mem.size() - 2);
    EXPECT_FALSE(p.ok);
    Parse q;
    q.run(mem, kMultiboot2Magic, mem.size() + 0x1000);
    EXPECT_FALSE(q.ok);
}

TEST(KlibMultiboot, V2ModuleNameRunningIntoPhysLimitStaysInBounds)
{
    // The module tag claims a body of 8 bytes; its name is whatever follows,
    // which here runs into the end of memory without a NUL.
    std::vector<uint8_t> body(8, 0);
    body[1] = 0x10; // start 0x1000
    body[5] = 0x20; // end 0x2000
    auto info = V2Builder().mmap(kQemuMap).tag(3, body).finish(false);
    PhysMem mem = place(info, 5);
    mem.fill(kV2At + info.size(), 'q', 5);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->module_count, 1u);
    EXPECT_LT(strnlen(p.info->modules[0].name, sizeof p.info->modules[0].name), sizeof p.info->modules[0].name);
}

TEST(KlibMultiboot, V2MoreMapEntriesThanFitAreCappedAndReported)
{
    std::vector<V1Entry> entries;
    for (uint32_t i = 0; i < kMaxMemoryMapEntries + 5; ++i) entries.push_back({0x200000ull * i, 0x1000, 1});
    auto info = V2Builder().mmap(entries).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    ASSERT_TRUE(p.ok) << p.diag.all();
    ASSERT_EQ(p.info->memory_map_count, kMaxMemoryMapEntries);
    EXPECT_EQ(p.info->memory_map[kMaxMemoryMapEntries - 1].base, 0x200000ull * (kMaxMemoryMapEntries - 1));
    EXPECT_TRUE(p.diag.mentions("more than 128 entries")) << p.diag.all();
}

// ---- either -------------------------------------------------------------

TEST(KlibMultiboot, UnknownMagicFailsWithReport)
{
    PhysMem mem = qemu_v1();
    Parse p;
    p.run(mem, 0x12345678, 0x100);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("unknown loader magic 0x12345678")) << p.diag.all();
    EXPECT_EQ(p.info->memory_map_count, 0u);
}

} // namespace
TEST(KlibMultiboot, V2MemoryMapTagTooShortForItsHeaderFails)
{
    // A 12-byte mmap tag: 4 body bytes, not the 8 its header needs.
    auto info = V2Builder().tag(6, {24, 0, 0, 0}).finish();
    PhysMem mem = place(info);
    Parse p;
    p.run(mem, kMultiboot2Magic, kV2At);
    EXPECT_FALSE(p.ok);
    EXPECT_TRUE(p.diag.mentions("memory map tag")) << p.diag.all();
}

} // namespace atoll_os::klib_test
