// ELF64 program loading plan: header and program header checks, one report per problem.
#include "runtime/lib/elf.hpp"

#include <bit>

namespace atoll_os::elf {

static_assert(std::endian::native == std::endian::little,
              "x86-64 ELF files are little-endian; fields are copied straight into integers");

namespace {

// ELF64 header (System V ABI, "ELF Header"): offsets of the fields we read.
constexpr size_t kEhdrSize = 64;
constexpr size_t kEiClass = 4, kEiData = 5, kEiVersion = 6;
constexpr size_t kEType = 16, kEMachine = 18, kEVersion = 20, kEEntry = 24, kEPhoff = 32;
constexpr size_t kEEhsize = 52, kEPhentsize = 54, kEPhnum = 56;

// ELF64 program header: offsets within one 56-byte entry.
constexpr size_t kPhdrSize = 56;
constexpr size_t kPType = 0, kPFlags = 4, kPOffset = 8, kPVaddr = 16, kPFilesz = 32, kPMemsz = 40,
                 kPAlign = 48;

constexpr uint8_t kClass64 = 2, kDataLsb = 1, kEvCurrent = 1;
constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4, kEmX86_64 = 62;
constexpr uint16_t kPnXnum = 0xffff;  // real count would be in section header 0
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

constexpr uint64_t kPageMask = 0xfff;

using ull = unsigned long long;

// Callers check ranges first so they can say what is wrong; loads re-check
// anyway so a missed check yields 0 rather than a read past the image.
class Image {
public:
    Image(const uint8_t* data, size_t size) : data_(data), size_(data ? size : 0) {}

    size_t size() const { return size_; }
    bool has(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }

    uint8_t u8(uint64_t offset) const { return has(offset, 1) ? data_[offset] : 0; }
    uint16_t u16(uint64_t offset) const { return load<uint16_t>(offset); }
    uint32_t u32(uint64_t offset) const { return load<uint32_t>(offset); }
    uint64_t u64(uint64_t offset) const { return load<uint64_t>(offset); }

private:
    template <typename T>
    T load(uint64_t offset) const
    {
        T value = 0;
        if (has(offset, sizeof(T))) {
            __builtin_memcpy(&value, data_ + offset, sizeof(T));
        }
        return value;
    }

    const uint8_t* data_;
    size_t size_;
};

uint64_t page_of(uint64_t addr) { return addr & ~kPageMask; }

// Identification bytes: after these, the rest of the header can be read as
// ELF64 little-endian at all. Any failure here makes later fields meaningless.
bool check_ident(const Image& img, Diag& diag)
{
    if (img.size() >= 4 && !(img.u8(0) == 0x7f && img.u8(1) == 'E' && img.u8(2) == 'L' && img.u8(3) == 'F')) {
        diag.report("ELF: magic %02x %02x %02x %02x (expected 7f 45 4c 46, \"\\x7fELF\"): not an ELF file",
                    img.u8(0), img.u8(1), img.u8(2), img.u8(3));
        return false;
    }
    if (img.size() < kEhdrSize) {
        diag.report("ELF: image is %zu bytes, too small for the %zu-byte ELF64 header", img.size(), kEhdrSize);
        return false;
    }
    bool ok = true;
    if (const uint8_t c = img.u8(kEiClass); c != kClass64) {
        diag.report("ELF: e_ident[EI_CLASS] %u (expected 2, ELFCLASS64)%s", c,
                    c == 1 ? ": 32-bit executables are not supported" : "");
        ok = false;
    }
    if (const uint8_t d = img.u8(kEiData); d != kDataLsb) {
        diag.report("ELF: e_ident[EI_DATA] %u (expected 1, ELFDATA2LSB, little endian)", d);
        ok = false;
    }
    if (const uint8_t v = img.u8(kEiVersion); v != kEvCurrent) {
        diag.report("ELF: e_ident[EI_VERSION] %u (expected 1, EV_CURRENT)", v);
        ok = false;
    }
    return ok;
}

const char* type_name(uint16_t type)
{
    switch (type) {
    case kEtRel: return " (ET_REL, an object file: link it first)";
    case kEtCore: return " (ET_CORE, a core dump)";
    default: return "";
    }
}

// The fixed header fields, all reported before giving up.
bool check_header(const Image& img, Diag& diag)
{
    bool ok = true;
    const uint16_t type = img.u16(kEType);
    if (type == kEtDyn) {
        diag.report("ELF: e_type ET_DYN: position-independent executables are not supported "
                    "(link with -static -no-pie)");
        ok = false;
    } else if (type != kEtExec) {
        diag.report("ELF: e_type %u%s (expected 2, ET_EXEC)", type, type_name(type));
        ok = false;
    }
    if (const uint16_t m = img.u16(kEMachine); m != kEmX86_64) {
        diag.report("ELF: e_machine %u (expected 62, EM_X86_64)", m);
        ok = false;
    }
    if (const uint32_t v = img.u32(kEVersion); v != kEvCurrent) {
        diag.report("ELF: e_version %u (expected 1, EV_CURRENT)", v);
        ok = false;
    }
    if (const uint16_t eh = img.u16(kEEhsize); eh != kEhdrSize) {
        diag.report("ELF: e_ehsize %u (expected 64)", eh);
        ok = false;
    }
    const uint16_t phentsize = img.u16(kEPhentsize);
    if (phentsize != kPhdrSize) {
        diag.report("ELF: e_phentsize %u (expected 56, the ELF64 program header size)", phentsize);
        ok = false;
    }
    const uint16_t phnum = img.u16(kEPhnum);
    const uint64_t phoff = img.u64(kEPhoff);
    if (phnum == 0) {
        diag.report("ELF: e_phnum 0: no program headers, nothing to load");
        ok = false;
    } else if (phnum == kPnXnum) {
        diag.report("ELF: e_phnum 0xffff (PN_XNUM, count kept in section header 0) is not supported");
        ok = false;
    } else if (phentsize == kPhdrSize && !img.has(phoff, uint64_t{phnum} * kPhdrSize)) {
        // phnum * 56 < 2^22, so only phoff itself can be absurd.
        diag.report("ELF: e_phoff 0x%llx + e_phnum %u x 56 bytes extends past the end of the image (0x%zx bytes)",
                    ull(phoff), phnum, img.size());
        ok = false;
    }
    return ok;
}

// One PT_LOAD's own fields; true if it may be loaded.
bool check_load(const Image& img, unsigned index, uint64_t ph, uint64_t user_limit, Diag& diag)
{
    const uint32_t flags = img.u32(ph + kPFlags);
    const uint64_t offset = img.u64(ph + kPOffset);
    const uint64_t vaddr = img.u64(ph + kPVaddr);
    const uint64_t filesz = img.u64(ph + kPFilesz);
    const uint64_t memsz = img.u64(ph + kPMemsz);
    const uint64_t align = img.u64(ph + kPAlign);
    bool ok = true;

    if (filesz > memsz) {
        diag.report("ELF: program header %u: p_filesz 0x%llx > p_memsz 0x%llx", index, ull(filesz), ull(memsz));
        ok = false;
    }
    if (offset + filesz < offset) {
        diag.report("ELF: program header %u: p_offset 0x%llx + p_filesz 0x%llx overflows", index, ull(offset),
                    ull(filesz));
        ok = false;
    } else if (!img.has(offset, filesz)) {
        diag.report("ELF: program header %u: file bytes [0x%llx, 0x%llx) extend past the end of the image "
                    "(0x%zx bytes)",
                    index, ull(offset), ull(offset + filesz), img.size());
        ok = false;
    }
    if (vaddr + memsz < vaddr) {
        diag.report("ELF: program header %u: p_vaddr 0x%llx + p_memsz 0x%llx overflows", index, ull(vaddr),
                    ull(memsz));
        ok = false;
    } else {
        if (vaddr < kLowestLoadAddress) {
            diag.report("ELF: program header %u: p_vaddr 0x%llx is below 0x%llx (the null page stays unmapped)",
                        index, ull(vaddr), ull(kLowestLoadAddress));
            ok = false;
        }
        if (vaddr + memsz > user_limit) {
            diag.report("ELF: program header %u: [0x%llx, 0x%llx) ends above the user address limit 0x%llx",
                        index, ull(vaddr), ull(vaddr + memsz), ull(user_limit));
            ok = false;
        }
    }
    if ((flags & (kPfW | kPfX)) == (kPfW | kPfX)) {
        diag.report("ELF: segment %u is writable and executable (p_flags 0x%x); "
                    "code and data must be in separate segments",
                    index, flags);
        ok = false;
    }
    // 0 and 1 both mean "no alignment constraint".
    if (align > 1) {
        if (!std::has_single_bit(align)) {
            diag.report("ELF: program header %u: p_align 0x%llx is not a power of two", index, ull(align));
            ok = false;
        } else if (vaddr % align != offset % align) {
            diag.report("ELF: program header %u: p_vaddr 0x%llx and p_offset 0x%llx differ modulo p_align 0x%llx",
                        index, ull(vaddr), ull(offset), ull(align));
            ok = false;
        }
    }
    return ok;
}

Segment segment_at(const Image& img, uint64_t ph)
{
    const uint32_t flags = img.u32(ph + kPFlags);
    return Segment{img.u64(ph + kPVaddr),
                   img.u64(ph + kPMemsz),
                   img.u64(ph + kPOffset),
                   img.u64(ph + kPFilesz),
                   (flags & kPfR) != 0,
                   (flags & kPfW) != 0,
                   (flags & kPfX) != 0};
}

uint64_t end_of(const Segment& s) { return s.vaddr + s.memsz; }

// Pairs of accepted segments: no shared bytes, no shared page that would
// have to be both writable and executable.
bool check_pairs(const Plan& plan, const uint16_t* header_of, Diag& diag)
{
    bool ok = true;
    for (uint32_t i = 0; i < plan.segment_count; ++i) {
        for (uint32_t j = i + 1; j < plan.segment_count; ++j) {
            const Segment& a = plan.segments[i];
            const Segment& b = plan.segments[j];
            if (a.vaddr < end_of(b) && b.vaddr < end_of(a)) {
                diag.report("ELF: program headers %u and %u overlap: [0x%llx, 0x%llx) and [0x%llx, 0x%llx)",
                            header_of[i], header_of[j], ull(a.vaddr), ull(end_of(a)), ull(b.vaddr),
                            ull(end_of(b)));
                ok = false;
                continue;
            }
            // memsz > 0 for both, so end - 1 is each one's last byte.
            const bool share_page = page_of(a.vaddr) <= page_of(end_of(b) - 1) &&
                                    page_of(b.vaddr) <= page_of(end_of(a) - 1);
            if (share_page && ((a.write && b.execute) || (a.execute && b.write))) {
                const uint64_t page = page_of(a.vaddr) > page_of(b.vaddr) ? page_of(a.vaddr) : page_of(b.vaddr);
                diag.report("ELF: program headers %u and %u share the page at 0x%llx but one is writable and "
                            "the other executable (that page would be W+X)",
                            header_of[i], header_of[j], ull(page));
                ok = false;
            }
        }
    }
    return ok;
}

bool check_entry(const Plan& plan, const uint16_t* header_of, Diag& diag)
{
    int holder = -1;
    for (uint32_t i = 0; i < plan.segment_count; ++i) {
        const Segment& s = plan.segments[i];
        if (plan.entry >= s.vaddr && plan.entry < end_of(s)) {
            if (s.execute) {
                return true;
            }
            holder = static_cast<int>(i);
        }
    }
    if (holder >= 0) {
        diag.report("ELF: e_entry 0x%llx is in program header %u, which is not executable", ull(plan.entry),
                    header_of[holder]);
    } else {
        diag.report("ELF: e_entry 0x%llx is not inside any loadable segment", ull(plan.entry));
    }
    return false;
}

} // namespace

bool plan_load(const uint8_t* image, size_t size, uint64_t user_limit, Plan& out, Diag& diag)
{
    out.entry = 0;
    out.segment_count = 0;
    out.lowest_vaddr = 0;
    out.highest_vaddr_end = 0;

    const Image img(image, size);
    if (!check_ident(img, diag) || !check_header(img, diag)) {
        return false;
    }

    out.entry = img.u64(kEEntry);
    uint16_t header_of[kMaxSegments];  // program header index of each plan segment, for messages
    bool ok = true;
    bool too_many_reported = false;
    const uint64_t phoff = img.u64(kEPhoff);
    const unsigned phnum = img.u16(kEPhnum);
    for (unsigned i = 0; i < phnum; ++i) {
        const uint64_t ph = phoff + uint64_t{i} * kPhdrSize;
        switch (img.u32(ph + kPType)) {
        case kPtInterp:
            diag.report("ELF: program header %u: PT_INTERP asks for a dynamic linker; only static executables "
                        "are supported (link with -static)",
                        i);
            ok = false;
            break;
        case kPtDynamic:
            diag.report("ELF: program header %u: PT_DYNAMIC: dynamically linked executables are not supported "
                        "(link with -static)",
                        i);
            ok = false;
            break;
        case kPtLoad:
            if (!check_load(img, i, ph, user_limit, diag)) {
                ok = false;
            } else if (img.u64(ph + kPMemsz) == 0) {
                // Maps nothing; linkers rarely emit it, and it cannot conflict.
            } else if (out.segment_count == kMaxSegments) {
                if (!too_many_reported) {
                    diag.report("ELF: program header %u: more than %u PT_LOAD segments", i, kMaxSegments);
                    too_many_reported = true;
                }
                ok = false;
            } else {
                header_of[out.segment_count] = static_cast<uint16_t>(i);
                out.segments[out.segment_count++] = segment_at(img, ph);
            }
            break;
        default:
            // PT_PHDR, PT_NOTE, PT_GNU_STACK, PT_GNU_EH_FRAME, ...: nothing to map.
            break;
        }
    }

    if (!ok) {
        // A rejected PT_LOAD may be where the entry point lives; checking the
        // rest against a partial list would only add misleading reports.
        return false;
    }
    if (out.segment_count == 0) {
        diag.report("ELF: no PT_LOAD segment with p_memsz > 0: nothing to load");
        return false;
    }
    ok = check_pairs(out, header_of, diag);
    ok = check_entry(out, header_of, diag) && ok;

    out.lowest_vaddr = out.segments[0].vaddr;
    out.highest_vaddr_end = end_of(out.segments[0]);
    for (uint32_t i = 1; i < out.segment_count; ++i) {
        const Segment& s = out.segments[i];
        out.lowest_vaddr = s.vaddr < out.lowest_vaddr ? s.vaddr : out.lowest_vaddr;
        out.highest_vaddr_end = end_of(s) > out.highest_vaddr_end ? end_of(s) : out.highest_vaddr_end;
    }
    return ok;
}

} // namespace atoll_os::elf
