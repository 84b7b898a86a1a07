// Test support for the placement planner: machines built from a shape, a collecting Diag, parsing helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "percpu/placement.hpp"

namespace atoll_os::placement_test {

using namespace atoll_os::placement;

class CollectDiag final : public Diag {
public:
    std::vector<std::string> messages;

    bool mentions(const std::string& needle) const
    {
        for (const std::string& m : messages)
            if (m.find(needle) != std::string::npos) return true;
        return false;
    }

    std::string all() const
    {
        std::string out;
        for (const std::string& m : messages) out += m + "\n";
        return out;
    }

protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        char buf[1024];
        std::vsnprintf(buf, sizeof buf, fmt, args);
        messages.emplace_back(buf);
    }
};

// packages x nodes per package x L3 groups per node x cores per L3 x
// threads per core, numbered like QEMU and hwloc: threads innermost. L2 per
// physical core. Distances: 10 local, near_distance between nodes of one
// package, far_distance between packages.
struct Shape {
    unsigned packages = 1, nodes = 1, l3s = 1, cores = 4, threads = 1;
    unsigned near_distance = 12, far_distance = 21;
};

inline std::unique_ptr<Topology> make_topology(const Shape& s)
{
    auto t = std::make_unique<Topology>();
    *t = Topology{};
    uint32_t n = 0;
    for (unsigned p = 0; p < s.packages; ++p)
        for (unsigned d = 0; d < s.nodes; ++d)
            for (unsigned l = 0; l < s.l3s; ++l)
                for (unsigned c = 0; c < s.cores; ++c)
                    for (unsigned h = 0; h < s.threads; ++h) {
                        CoreInfo& ci = t->cores[n];
                        const unsigned core_in_package = (d * s.l3s + l) * s.cores + c;
                        ci.apic_id = n;
                        ci.acpi_uid = n;
                        ci.package = static_cast<uint16_t>(p);
                        ci.core = static_cast<uint16_t>(core_in_package);
                        ci.thread = static_cast<uint16_t>(h);
                        ci.node = static_cast<uint16_t>(p * s.nodes + d);
                        ci.l2_group = (p * 1000) + core_in_package;
                        ci.l3_group = (p * s.nodes + d) * s.l3s + l;
                        ++n;
                    }
    t->core_count = n;
    t->node_count = s.packages * s.nodes;
    for (unsigned i = 0; i < kMaxNodes; ++i)
        for (unsigned j = 0; j < kMaxNodes; ++j) {
            uint8_t v = kRemoteDistance;
            if (i == j) {
                v = kLocalDistance;
            } else if (i < t->node_count && j < t->node_count) {
                v = static_cast<uint8_t>(i / s.nodes == j / s.nodes ? s.near_distance : s.far_distance);
            }
            t->distance[i][j] = v;
        }
    t->from_madt = t->from_srat = t->from_slit = true;
    return t;
}

struct Parsed {
    std::unique_ptr<Request> request = std::make_unique<Request>();
    CollectDiag diag;
    bool ok = false;
};

inline std::unique_ptr<Parsed> parse(const std::string& text, const char* file = "boot.cfg")
{
    auto p = std::make_unique<Parsed>();
    p->ok = parse_request(text.data(), text.size(), file, *p->request, p->diag);
    return p;
}

struct Planned {
    std::unique_ptr<Parsed> parsed;
    std::unique_ptr<Workspace> ws = std::make_unique<Workspace>();
    Plan plan{};
    CollectDiag diag;
    bool ok = false;

    // Core of the program named `name`.
    uint32_t core(const char* name) const
    {
        const int i = parsed->request->index_of(name);
        EXPECT_GE(i, 0) << name;
        return i < 0 ? kMaxCores : plan.core[i];
    }
};

inline std::unique_ptr<Planned> plan_text(const Topology& t, const std::string& text)
{
    auto p = std::make_unique<Planned>();
    p->parsed = parse(text);
    EXPECT_TRUE(p->parsed->ok) << p->parsed->diag.all();
    CostModel cost;
    default_cost_model(cost);
    p->ok = plan(t, *p->parsed->request, cost, *p->ws, p->plan, p->diag);
    return p;
}

} // namespace atoll_os::placement_test
