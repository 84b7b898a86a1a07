// ByteView: bounds-checked little-endian reads over firmware bytes we do not trust.
#pragma once

#include <bit>
#include <stddef.h>
#include <stdint.h>

namespace atoll_os::acpi {

static_assert(std::endian::native == std::endian::little,
              "ACPI tables are little-endian; loaders copy bytes straight into integers");

// Parsers check lengths themselves so they can say what is wrong; the view
// re-checks every read anyway, so a forgotten check costs a wrong value (0),
// never a read outside the caller's bytes. memcpy keeps unaligned fields legal.
class ByteView {
public:
    constexpr ByteView() = default;
    constexpr ByteView(const uint8_t* data, size_t size) : data_(data), size_(data ? size : 0) {}

    constexpr const uint8_t* data() const { return data_; }
    constexpr size_t size() const { return size_; }

    // Written so that offset + len cannot overflow.
    constexpr bool has(size_t offset, size_t len) const
    {
        return offset <= size_ && len <= size_ - offset;
    }

    ByteView sub(size_t offset, size_t len) const
    {
        return has(offset, len) ? ByteView(data_ + offset, len) : ByteView();
    }

    uint8_t u8(size_t offset) const { return has(offset, 1) ? data_[offset] : 0; }
    uint16_t u16(size_t offset) const { return load<uint16_t>(offset); }
    uint32_t u32(size_t offset) const { return load<uint32_t>(offset); }
    uint64_t u64(size_t offset) const { return load<uint64_t>(offset); }

    bool equals(size_t offset, const char* text, size_t len) const
    {
        return has(offset, len) && __builtin_memcmp(data_ + offset, text, len) == 0;
    }

    // ACPI checksums are valid when all bytes add up to 0 modulo 256.
    uint8_t sum8() const
    {
        uint8_t sum = 0;
        for (size_t i = 0; i < size_; ++i) {
            sum = static_cast<uint8_t>(sum + data_[i]);
        }
        return sum;
    }

private:
    template <typename T>
    T load(size_t offset) const
    {
        T value = 0;
        if (has(offset, sizeof(T))) {
            __builtin_memcpy(&value, data_ + offset, sizeof(T));
        }
        return value;
    }

    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

} // namespace atoll_os::acpi
