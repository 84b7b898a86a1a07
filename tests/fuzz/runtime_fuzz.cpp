// libFuzzer target: arbitrary bytes as an ELF image (as given and with a plausible header) and as boot.cfg text.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "kernel/lib/diag.hpp"
#include "runtime/lib/boot_config.hpp"
#include "runtime/lib/elf.hpp"

namespace {

using namespace atoll_os;

// Formats every report, so a format string and its arguments that disagree
// show up as a sanitizer error, and counts them: a parser must fail exactly
// when it said something.
class CountingDiag final : public Diag {
public:
    unsigned count = 0;

protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, args);
        ++count;
    }
};

void check(bool ok)
{
    if (!ok) {
        __builtin_trap();
    }
}

// A heap block of exactly the input's size, so ASan sees any read past it.
std::unique_ptr<uint8_t[]> exact_copy(const uint8_t* data, size_t size)
{
    std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
    if (size != 0) {
        std::memcpy(copy.get(), data, size);
    }
    return copy;
}

uint64_t end_of(const elf::Segment& s) { return s.vaddr + s.memsz; }

// Everything an accepted plan promises the loader.
void check_plan(const elf::Plan& p, uint64_t limit, size_t size)
{
    check(p.segment_count >= 1 && p.segment_count <= elf::kMaxSegments);
    bool entry_ok = false;
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        const elf::Segment& s = p.segments[i];
        check(s.memsz > 0 && s.filesz <= s.memsz);
        check(s.vaddr >= elf::kLowestLoadAddress && end_of(s) > s.vaddr && end_of(s) <= limit);
        check(s.file_offset <= size && s.filesz <= size - s.file_offset);
        check(!(s.write && s.execute));
        check(s.vaddr >= p.lowest_vaddr && end_of(s) <= p.highest_vaddr_end);
        entry_ok = entry_ok || (s.execute && p.entry >= s.vaddr && p.entry < end_of(s));
        for (uint32_t j = 0; j < i; ++j) {
            const elf::Segment& t = p.segments[j];
            check(end_of(s) <= t.vaddr || end_of(t) <= s.vaddr);
            const bool share = (s.vaddr >> 12) <= ((end_of(t) - 1) >> 12) && (t.vaddr >> 12) <= ((end_of(s) - 1) >> 12);
            check(!(share && ((s.write && t.execute) || (s.execute && t.write))));
        }
    }
    check(entry_ok);
}

void plan(const uint8_t* image, size_t size, uint64_t limit)
{
    CountingDiag diag;
    elf::Plan p;
    const bool ok = elf::plan_load(image, size, limit, p, diag);
    check(ok == (diag.count == 0));
    if (ok) {
        check_plan(p, limit, size);
    }
}

// Random bytes almost never get past the identification and header checks;
// making those fields valid (and the program header table fit) lets the
// fuzzer spend its time on the program headers.
void repair_header(uint8_t* b, size_t size)
{
    if (size < 64) {
        return;
    }
    const uint8_t ident[7] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(b, ident, sizeof ident);
    const uint16_t type = 2, machine = 62, ehsize = 64, phentsize = 56;
    const uint32_t version = 1;
    std::memcpy(b + 16, &type, 2);
    std::memcpy(b + 18, &machine, 2);
    std::memcpy(b + 20, &version, 4);
    std::memcpy(b + 52, &ehsize, 2);
    std::memcpy(b + 54, &phentsize, 2);
    const uint64_t phoff = 64;
    std::memcpy(b + 32, &phoff, 8);
    uint16_t phnum = 0;
    std::memcpy(&phnum, b + 56, 2);
    const size_t room = (size - 64) / 56;
    phnum = static_cast<uint16_t>(room == 0 ? 1 : 1 + phnum % (room < 20 ? room : 20));
    std::memcpy(b + 56, &phnum, 2);
}

void config(const char* text, size_t size, uint32_t cores)
{
    static bootcfg::Config cfg;  // 70 KB: off the stack, as the root task would keep it
    CountingDiag diag;
    const bool ok = bootcfg::parse(text, size, "fuzz.cfg", cores, cfg, diag);
    check(ok == (diag.count == 0));
    check(cfg.program_count <= bootcfg::kMaxPrograms);
    if (!ok) {
        return;
    }
    for (uint32_t i = 0; i < cfg.program_count; ++i) {
        const bootcfg::Program& p = cfg.programs[i];
        check(std::memchr(p.name, 0, sizeof p.name) && std::memchr(p.image, 0, sizeof p.image));
        check(std::memchr(p.args, 0, sizeof p.args) && std::memchr(p.serves, 0, sizeof p.serves));
        check(p.name[0] != '\0' && p.image[0] != '\0');
        check(p.core < cores && p.priority >= 1 && p.priority <= 254);
        check(p.memory_bytes != 0 && p.memory_bytes % 4096 == 0);
        check(p.cap_count <= bootcfg::kMaxCaps);
        for (uint32_t c = 0; c < p.cap_count; ++c) {
            const bootcfg::CapRequest& cap = p.caps[c];
            check(std::memchr(cap.name, 0, sizeof cap.name) != nullptr);
            check(cap.a <= cap.b);
            if (cap.kind != bootcfg::CapKind::kEndpoint) {
                continue;
            }
            bool served = false;
            for (uint32_t j = 0; j < cfg.program_count; ++j) {
                served = served || std::strcmp(cfg.programs[j].serves, cap.name) == 0;
            }
            check(served);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // The last byte picks a user limit, so the limit checks see odd values too.
    static constexpr uint64_t kLimits[4] = {elf::kDefaultUserLimit, 0x400000, 0x7fffffe01000, ~uint64_t{0}};
    const uint64_t limit = kLimits[size ? data[size - 1] % 4 : 0];

    auto image = exact_copy(data, size);
    plan(image.get(), size, limit);
    repair_header(image.get(), size);
    plan(image.get(), size, limit);

    auto text = exact_copy(data, size);
    config(reinterpret_cast<const char*>(text.get()), size, size ? 1 + data[0] % 8 : 4);
    return 0;
}
