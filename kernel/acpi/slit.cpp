// SLIT: relative memory latency between NUMA nodes.
#include "kernel/acpi/slit.hpp"

#include "kernel/acpi/bytes.hpp"
#include "kernel/acpi/sdt.hpp"

namespace atoll_os::acpi {

namespace {

constexpr size_t kCountOffset = 36;
constexpr size_t kMatrixOffset = 44;
// Far beyond any machine, and small enough that count * count cannot overflow.
constexpr uint64_t kMaxLocalities = 0xFFFF;

} // namespace

void default_distances(DistanceMatrix& distance)
{
    for (unsigned i = 0; i < kMaxNodes; ++i) {
        for (unsigned j = 0; j < kMaxNodes; ++j) {
            distance[i][j] = i == j ? kLocalDistance : kRemoteDistance;
        }
    }
}

bool parse_slit(const uint8_t* table, size_t len, const DomainMap& nodes, DistanceMatrix& distance, Diag& diag)
{
    const uint32_t length = validate_sdt(table, len, "SLIT", diag);
    if (length == 0) {
        return false;
    }
    const ByteView v(table, length);
    if (!v.has(0, kMatrixOffset)) {
        diag.report("SLIT: table length %u too short for the locality count (expected >= %u)", length,
                    static_cast<unsigned>(kMatrixOffset));
        return false;
    }
    const uint64_t n = v.u64(kCountOffset);
    if (n > kMaxLocalities) {
        diag.report("SLIT: locality count %llu is implausible (limit %llu)", static_cast<unsigned long long>(n),
                    static_cast<unsigned long long>(kMaxLocalities));
        return false;
    }
    if (length != kMatrixOffset + n * n) {
        diag.report("SLIT: table length %u (expected %llu = 44 + %llu * %llu localities)", length,
                    static_cast<unsigned long long>(kMatrixOffset + n * n), static_cast<unsigned long long>(n),
                    static_cast<unsigned long long>(n));
        return false;
    }
    if (n != nodes.count) {
        diag.report("SLIT: locality count %llu does not match the %u SRAT nodes", static_cast<unsigned long long>(n),
                    nodes.count);
        return false;
    }
    const uint32_t count = nodes.count < kMaxNodes ? nodes.count : kMaxNodes;
    for (uint32_t node = 0; node < count; ++node) {
        if (nodes.domain[node] >= n) {
            diag.report("SLIT: SRAT proximity domain %u (node %u) has no row (locality count %llu)",
                        nodes.domain[node], node, static_cast<unsigned long long>(n));
            return false;
        }
    }
    // Values 0-9 are reserved and 10 means "local"; 255 (unreachable) is allowed.
    const ByteView matrix = v.sub(kMatrixOffset, static_cast<size_t>(n * n));
    for (uint64_t i = 0; i < n; ++i) {
        for (uint64_t j = 0; j < n; ++j) {
            const uint8_t d = matrix.u8(static_cast<size_t>(i * n + j));
            if (i == j ? d != kLocalDistance : d <= kLocalDistance) {
                diag.report("SLIT: entry [%llu][%llu] is %u (expected %s)", static_cast<unsigned long long>(i),
                            static_cast<unsigned long long>(j), d,
                            i == j ? "10 on the diagonal" : "> 10 between localities");
                return false;
            }
        }
    }
    for (uint32_t a = 0; a < count; ++a) {
        for (uint32_t b = 0; b < count; ++b) {
            distance[a][b] = matrix.u8(static_cast<size_t>(nodes.domain[a] * n + nodes.domain[b]));
        }
    }
    return true;
}

} // namespace atoll_os::acpi
