// atoll-place: the placement planner on the host (run by `./atoll place`).
//
//   atoll-place --topology TOPO --config CONFIG [--cost COST]
//
// TOPO is a machine in the kernel's own log format (docs/boot.md), with or
// without the "[cN +t] " prefixes, so an Atoll serial log works as is:
//   topology: core N apic X package P core C thread T node D l2 G l3 G
//   numa: distance I J = V
// CONFIG is a boot configuration with placement keys (percpu/placement_config.hpp).
// COST overrides the default cost model, one "talk|apart LEVEL VALUE" or
// "distance SLIT VALUE" per line (LEVEL as level_name, spaces as '-').
//
// Output, one line per program in file order, then the totals:
//   program NAME core N package P core C thread T node D l2 G l3 G near LEVEL|- line L
//   cost talk T apart A
// Errors go to stderr as "error: ..."; exit 1 (planning) or 2 (usage, input).
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "percpu/placement.hpp"

namespace {

using namespace atoll_os;
using namespace atoll_os::placement;

class StderrDiag final : public Diag {
public:
    unsigned count = 0;

protected:
    [[gnu::format(printf, 2, 0)]] void vreport(const char* fmt, va_list args) override
    {
        std::fputs("error: ", stderr);
        std::vfprintf(stderr, fmt, args);
        std::fputc('\n', stderr);
        ++count;
    }
};

bool read_file(const char* path, std::string& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

[[noreturn]] void fail(const std::string& message)
{
    std::fprintf(stderr, "error: %s\n", message.c_str());
    std::exit(2);
}

// The text after `marker` in line, or nullptr.
const char* after(const std::string& line, const char* marker)
{
    const size_t at = line.find(marker);
    return at == std::string::npos ? nullptr : line.c_str() + at + std::strlen(marker);
}

void load_topology(const char* path, Topology& t)
{
    std::string text;
    if (!read_file(path, text)) fail(std::string("cannot read topology ") + path);
    t.core_count = 0;
    t.node_count = 1;
    t.mem_range_count = 0;
    for (unsigned i = 0; i < kMaxNodes; ++i)
        for (unsigned j = 0; j < kMaxNodes; ++j) t.distance[i][j] = i == j ? kLocalDistance : kRemoteDistance;
    std::istringstream lines(text);
    std::string line;
    unsigned number = 0;
    bool any_distance = false;
    while (std::getline(lines, line)) {
        ++number;
        const std::string where = std::string(path) + ":" + std::to_string(number) + ": ";
        if (const char* rest = after(line, "topology: core ")) {
            unsigned n, apic, package, core, thread, node, l2, l3;
            if (std::sscanf(rest, "%u apic %u package %u core %u thread %u node %u l2 %u l3 %u", &n, &apic, &package,
                            &core, &thread, &node, &l2, &l3) != 8)
                fail(where + "malformed 'topology: core' line");
            if (n != t.core_count) fail(where + "core " + std::to_string(n) + " out of order");
            if (n >= kMaxCores) fail(where + "more than " + std::to_string(kMaxCores) + " cores");
            if (node >= kMaxNodes) fail(where + "node " + std::to_string(node) + " too large");
            CoreInfo& c = t.cores[t.core_count++];
            c.apic_id = apic;
            c.acpi_uid = n;
            c.package = static_cast<uint16_t>(package);
            c.core = static_cast<uint16_t>(core);
            c.thread = static_cast<uint16_t>(thread);
            c.node = static_cast<uint16_t>(node);
            c.l2_group = l2;
            c.l3_group = l3;
            if (node + 1 > t.node_count) t.node_count = node + 1;
        } else if (const char* dist = after(line, "numa: distance ")) {
            unsigned i, j, v;
            if (std::sscanf(dist, "%u %u = %u", &i, &j, &v) != 3 || i >= kMaxNodes || j >= kMaxNodes || v > 255)
                fail(where + "malformed 'numa: distance' line");
            t.distance[i][j] = static_cast<uint8_t>(v);
            if (i + 1 > t.node_count) t.node_count = i + 1;
            if (j + 1 > t.node_count) t.node_count = j + 1;
            any_distance = true;
        }
    }
    if (t.core_count == 0) fail(std::string(path) + ": no 'topology: core' lines");
    t.from_madt = t.from_srat = true;
    t.from_slit = any_distance;
}

int level_index(const std::string& name)
{
    for (unsigned l = 0; l < kLevelCount; ++l) {
        std::string n = level_name(static_cast<Level>(l));
        for (char& ch : n)
            if (ch == ' ') ch = '-';
        if (n == name) return static_cast<int>(l);
    }
    return -1;
}

void load_cost(const char* path, CostModel& m)
{
    std::string text;
    if (!read_file(path, text)) fail(std::string("cannot read cost model ") + path);
    std::istringstream lines(text);
    std::string line;
    unsigned number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::istringstream words(line);
        std::string kind, what;
        unsigned long value = 0;
        if (!(words >> kind) || kind[0] == '#') continue;
        const std::string where = std::string(path) + ":" + std::to_string(number) + ": ";
        if (!(words >> what >> value) || value > 0xffffffffUL) fail(where + "expected KIND WHAT VALUE");
        if (kind == "distance") {
            unsigned long d = 0;
            if (std::sscanf(what.c_str(), "%lu", &d) != 1 || d > 255) fail(where + "expected a SLIT distance 0-255");
            m.distance[d] = static_cast<uint32_t>(value);
        } else if (kind == "talk" || kind == "apart") {
            const int l = level_index(what);
            if (l < 0) fail(where + "unknown level " + what);
            (kind == "talk" ? m.talk : m.apart)[l] = static_cast<uint32_t>(value);
        } else {
            fail(where + "unknown kind " + kind + " (expected talk, apart or distance)");
        }
    }
}

[[noreturn]] void usage()
{
    std::fputs("usage: atoll-place --topology TOPO --config CONFIG [--cost COST]\n", stderr);
    std::exit(2);
}

} // namespace

int main(int argc, char** argv)
{
    const char* topo_path = nullptr;
    const char* config_path = nullptr;
    const char* cost_path = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage();
        if (a == "--topology") {
            topo_path = argv[++i];
        } else if (a == "--config") {
            config_path = argv[++i];
        } else if (a == "--cost") {
            cost_path = argv[++i];
        } else {
            usage();
        }
    }
    if (!topo_path || !config_path) usage();

    auto topo = std::make_unique<Topology>();
    load_topology(topo_path, *topo);
    CostModel cost;
    default_cost_model(cost);
    if (cost_path) load_cost(cost_path, cost);

    std::string text;
    if (!read_file(config_path, text)) fail(std::string("cannot read config ") + config_path);
    const char* slash = std::strrchr(config_path, '/');
    const char* file = slash ? slash + 1 : config_path;

    StderrDiag diag;
    auto request = std::make_unique<Request>();
    if (!parse_request(text.data(), text.size(), file, *request, diag)) return 1;
    auto ws = std::make_unique<Workspace>();
    auto out = std::make_unique<Plan>();
    if (!plan(*topo, *request, cost, *ws, *out, diag)) return 1;

    for (uint32_t i = 0; i < out->program_count; ++i) {
        const ProgramRequest& p = request->programs[i];
        const CoreInfo& c = topo->cores[out->core[i]];
        std::string near = "-";
        if (p.near_line != 0) {
            near = level_name(out->near_level[i]);
            for (char& ch : near)
                if (ch == ' ') ch = '-';
        }
        std::printf("program %s core %u package %u core %u thread %u node %u l2 %u l3 %u near %s line %u\n", p.name,
                    out->core[i], c.package, c.core, c.thread, c.node, c.l2_group, c.l3_group, near.c_str(), p.line);
    }
    std::printf("cost talk %llu apart %llu\n", static_cast<unsigned long long>(out->talk_cost),
                static_cast<unsigned long long>(out->apart_cost));
    return 0;
}
