// CollectDiag: a Diag that keeps every report so host tests can assert on them.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include "kernel/lib/diag.hpp"

namespace atoll_os::test {

class CollectDiag final : public Diag {
public:
    std::vector<std::string> messages;

    bool mentions(const std::string& needle) const
    {
        for (const std::string& m : messages)
            if (m.find(needle) != std::string::npos)
                return true;
        return false;
    }

    std::string all() const
    {
        std::string out;
        for (const std::string& m : messages)
            out += m + "\n";
        return out;
    }

protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, args);
        messages.emplace_back(buf);
    }
};

} // namespace atoll_os::test
