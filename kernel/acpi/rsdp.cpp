// RSDP: locating and checking the ACPI root pointer.
#include "kernel/acpi/rsdp.hpp"

#include "kernel/acpi/bytes.hpp"

namespace atoll_os::acpi {

namespace {

constexpr char kSignature[] = "RSD PTR ";
constexpr size_t kSignatureLen = 8;
constexpr size_t kRevisionOffset = 15;
constexpr size_t kRsdtOffset = 16;
constexpr size_t kLengthOffset = 20;
constexpr size_t kXsdtOffset = 24;

// The extended checksum covers `length` bytes, which may legitimately exceed
// 36 in future revisions but must fit in what we were given.
bool extended_part_valid(ByteView v)
{
    if (!v.has(0, kRsdpV2Size)) {
        return false;
    }
    const uint32_t length = v.u32(kLengthOffset);
    return length >= kRsdpV2Size && length <= v.size() && v.sub(0, length).sum8() == 0;
}

} // namespace

const uint8_t* find_rsdp(const uint8_t* area, size_t len)
{
    const ByteView all(area, len);
    for (size_t off = 0; all.has(off, kRsdpV1Size); off += 16) {
        const ByteView v = all.sub(off, all.size() - off);
        if (!v.equals(0, kSignature, kSignatureLen) || v.sub(0, kRsdpV1Size).sum8() != 0) {
            continue;
        }
        if (v.u8(kRevisionOffset) >= 2 && !extended_part_valid(v)) {
            continue;
        }
        return v.data();
    }
    return nullptr;
}

bool parse_rsdp(const uint8_t* p, size_t len, Rsdp& out, Diag& diag)
{
    out = Rsdp{};
    const ByteView v(p, len);
    if (!v.has(0, kRsdpV1Size)) {
        diag.report("RSDP: only %u bytes available (expected >= %u)", static_cast<unsigned>(v.size()),
                    static_cast<unsigned>(kRsdpV1Size));
        return false;
    }
    if (!v.equals(0, kSignature, kSignatureLen)) {
        diag.report("RSDP: signature is not \"RSD PTR \"");
        return false;
    }
    const uint8_t sum = v.sub(0, kRsdpV1Size).sum8();
    if (sum != 0) {
        diag.report("RSDP: checksum over the first 20 bytes sums to 0x%02x (expected 0)", sum);
        return false;
    }
    out.revision = v.u8(kRevisionOffset);
    out.rsdt = v.u32(kRsdtOffset);

    if (out.revision >= 2) {
        if (!v.has(0, kRsdpV2Size)) {
            diag.report("RSDP: revision %u but only %u bytes available (expected %u); XSDT ignored",
                        out.revision, static_cast<unsigned>(v.size()), static_cast<unsigned>(kRsdpV2Size));
        } else if (const uint32_t length = v.u32(kLengthOffset); length < kRsdpV2Size || length > v.size()) {
            diag.report("RSDP: length %u outside [%u, %u bytes available]; XSDT ignored", length,
                        static_cast<unsigned>(kRsdpV2Size), static_cast<unsigned>(v.size()));
        } else if (const uint8_t ext = v.sub(0, length).sum8(); ext != 0) {
            diag.report("RSDP: extended checksum sums to 0x%02x (expected 0); XSDT ignored", ext);
        } else {
            out.xsdt = v.u64(kXsdtOffset);
        }
    }

    if (out.rsdt == 0 && out.xsdt == 0) {
        diag.report("RSDP: neither RSDT nor XSDT address is set");
        return false;
    }
    return true;
}

} // namespace atoll_os::acpi
