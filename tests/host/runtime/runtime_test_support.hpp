// Test support for the runtime library: collected diagnostics and exact-size copies of inputs.
#pragma once

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "kernel/lib/diag.hpp"

namespace atoll_os::test {

using Bytes = std::vector<uint8_t>;

// Keeps every report, formatted as the kernel log would show it.
class RecordingDiag final : public Diag {
public:
    std::vector<std::string> messages;

    // True if some message contains every fragment.
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

    bool has_exact(const std::string& message) const
    {
        for (const std::string& m : messages) {
            if (m == message) {
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
        char buf[1024];
        std::vsnprintf(buf, sizeof buf, fmt, args);
        messages.emplace_back(buf);
    }
};

#define EXPECT_REPORTED(diag, ...) \
    EXPECT_TRUE((diag).has({__VA_ARGS__})) << "reports were:\n" << (diag).dump()
#define EXPECT_REPORTED_EXACTLY(diag, message) \
    EXPECT_TRUE((diag).has_exact(message)) << "expected: " << (message) << "\nreports were:\n" << (diag).dump()
#define EXPECT_NO_REPORTS(diag) EXPECT_TRUE((diag).messages.empty()) << "reports were:\n" << (diag).dump()

// A heap block of exactly the input's size, so ASan reports a read even one
// byte past what the parser was handed.
class ExactCopy {
public:
    ExactCopy(const void* data, size_t size) : bytes_(new uint8_t[size ? size : 1]), size_(size)
    {
        if (size != 0) {
            std::memcpy(bytes_.get(), data, size);
        }
    }
    explicit ExactCopy(const Bytes& b) : ExactCopy(b.data(), b.size()) {}
    explicit ExactCopy(const std::string& s) : ExactCopy(s.data(), s.size()) {}

    const uint8_t* data() const { return bytes_.get(); }
    const char* chars() const { return reinterpret_cast<const char*>(bytes_.get()); }
    size_t size() const { return size_; }

private:
    std::unique_ptr<uint8_t[]> bytes_;
    size_t size_;
};

inline Bytes read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    if (!in.good()) {
        return {};
    }
    Bytes b(static_cast<size_t>(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return b;
}

inline Bytes load_program(const std::string& name)
{
    return read_file(std::string(ATOLL_RUNTIME_PROGRAM_DIR) + "/" + name);
}

inline std::string load_config(const std::string& name)
{
    const Bytes b = read_file(std::string(ATOLL_RUNTIME_DATA_DIR) + "/" + name);
    return std::string(b.begin(), b.end());
}

} // namespace atoll_os::test
