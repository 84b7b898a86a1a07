// Test support: fake physical memory, collected diagnostics and the compiled test machines.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "kernel/acpi/sdt.hpp"
#include "kernel/lib/diag.hpp"

namespace atoll_os::test {

using Bytes = std::vector<uint8_t>;

// Keeps every report so tests can assert which table and field were named.
class CollectingDiag final : public Diag {
public:
    std::vector<std::string> messages;

    // True if one message contains every fragment.
    bool has(std::initializer_list<const char*> fragments) const
    {
        for (const std::string& m : messages) {
            bool all = true;
            for (const char* f : fragments) {
                all = all && m.find(f) != std::string::npos;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    std::string dump() const
    {
        std::string out;
        for (const std::string& m : messages) {
            out += "  " + m + "\n";
        }
        return out.empty() ? "  (no reports)\n" : out;
    }

protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, args);
        messages.emplace_back(buf);
    }
};

#define EXPECT_REPORTED(diag, ...) \
    EXPECT_TRUE((diag).has({__VA_ARGS__})) << "reports were:\n" << (diag).dump()
#define EXPECT_NO_REPORTS(diag) EXPECT_TRUE((diag).messages.empty()) << "reports were:\n" << (diag).dump()

inline Bytes load_table(const std::string& name)
{
    const std::string path = std::string(ATOLL_ACPI_TABLE_DIR) + "/" + name + ".aml";
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void put32(Bytes& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
inline void put64(Bytes& b, size_t off, uint64_t v) { std::memcpy(b.data() + off, &v, 8); }

// Makes bytes [0, len) sum to zero through the byte at checksum_offset.
inline void fix_checksum(uint8_t* p, size_t len, size_t checksum_offset)
{
    p[checksum_offset] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; ++i) {
        sum = static_cast<uint8_t>(sum + p[i]);
    }
    p[checksum_offset] = static_cast<uint8_t>(-sum);
}

// An SDT's checksum after a deliberate edit, so the edit itself is what the
// parser trips over. Uses the table's own length field.
inline void fix_sdt_checksum(Bytes& t)
{
    uint32_t len = 0;
    std::memcpy(&len, t.data() + 4, 4);
    fix_checksum(t.data(), std::min<size_t>(len, t.size()), 9);
}

// Assembles an SDT from a signature and body, with length and checksum set.
inline Bytes make_sdt(const char sig[4], const Bytes& body, uint8_t revision = 1)
{
    Bytes t(36, 0);
    std::memcpy(t.data(), sig, 4);
    put32(t, 4, static_cast<uint32_t>(36 + body.size()));
    t[8] = revision;
    std::memcpy(t.data() + 10, "ATOLL ", 6);
    std::memcpy(t.data() + 16, "UNITTEST", 8);
    t.insert(t.end(), body.begin(), body.end());
    fix_sdt_checksum(t);
    return t;
}

// Sparse physical memory: separately allocated regions of exact size, so
// ASan flags any read past a region the parser was handed.
class FakeMemory final : public acpi::TableSource {
public:
    void add_region(uint64_t base, size_t size)
    {
        regions_.push_back(Region{base, size, std::make_unique<uint8_t[]>(size)});
        std::memset(regions_.back().bytes.get(), 0, size);
    }

    void write(uint64_t phys, const Bytes& bytes)
    {
        uint8_t* p = at(phys, bytes.size());
        ASSERT_NE(p, nullptr) << "no region holds 0x" << std::hex << phys;
        std::memcpy(p, bytes.data(), bytes.size());
    }

    uint8_t* at(uint64_t phys, size_t len = 1)
    {
        for (Region& r : regions_) {
            if (phys >= r.base && phys - r.base <= r.size && len <= r.size - (phys - r.base)) {
                return r.bytes.get() + (phys - r.base);
            }
        }
        return nullptr;
    }

    // Recomputes the checksum of the SDT at phys after an edit.
    void fix_sdt_checksum_at(uint64_t phys)
    {
        uint32_t len = 0;
        std::memcpy(&len, at(phys, 8) + 4, 4);
        fix_checksum(at(phys, len), len, 9);
    }

    const uint8_t* map(uint64_t phys, size_t len) override { return at(phys, len); }

private:
    struct Region {
        uint64_t base;
        size_t size;
        std::unique_ptr<uint8_t[]> bytes;
    };
    std::vector<Region> regions_;
};

// Addresses baked into the data/*.dsl sources (their header comments say where).
namespace qemu8 {
inline constexpr uint64_t kBiosArea = 0xE0000, kBiosAreaSize = 0x20000;
inline constexpr uint64_t kRsdp = 0x000F5980, kRsdt = 0x7FFE2721, kMadt = 0x7FFE2455, kSrat = 0x7FFE253D,
                          kSlit = 0x7FFE268D, kWaet = 0x7FFE26F9;
inline constexpr uint64_t kTableArea = 0x7FFE0000, kTableAreaSize = 0x3000;
inline constexpr uint64_t kMemEnd = 0x80000000;  // 2 GiB
} // namespace qemu8

namespace server2s {
inline constexpr uint64_t kRsdp = 0x6FFF0000, kRsdt = 0x6FFF0100, kXsdt = 0x6FFF0200, kMadt = 0x6FFF1000,
                          kSrat = 0x6FFF2000, kSlit = 0x6FFF3000, kWaet = 0x6FFF3100;
inline constexpr uint64_t kTableArea = 0x6FFF0000, kTableAreaSize = 0x4000;
inline constexpr uint64_t kMemEnd = 0x2080000000;
} // namespace server2s

// QEMU-like: RSDP in the BIOS area, tables near the top of low memory.
inline void load_qemu8(FakeMemory& mem)
{
    using namespace qemu8;
    mem.add_region(kBiosArea, kBiosAreaSize);
    mem.add_region(kTableArea, kTableAreaSize);
    mem.write(kRsdp, load_table("qemu8_rsdp"));
    mem.write(kRsdt, load_table("qemu8_rsdt"));
    mem.write(kMadt, load_table("qemu8_madt"));
    mem.write(kSrat, load_table("qemu8_srat"));
    mem.write(kSlit, load_table("qemu8_slit"));
    mem.write(kWaet, load_table("qemu8_waet"));
}

inline void load_server2s(FakeMemory& mem)
{
    using namespace server2s;
    mem.add_region(kTableArea, kTableAreaSize);
    mem.write(kRsdp, load_table("server2s_rsdp"));
    mem.write(kRsdt, load_table("server2s_rsdt"));
    mem.write(kXsdt, load_table("server2s_xsdt"));
    mem.write(kMadt, load_table("server2s_madt"));
    mem.write(kSrat, load_table("server2s_srat"));
    mem.write(kSlit, load_table("server2s_slit"));
    mem.write(kWaet, load_table("server2s_waet"));
}

} // namespace atoll_os::test
