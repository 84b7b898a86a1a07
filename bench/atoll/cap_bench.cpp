// Capability operations on one core, within one task: copy, delete, and
// revoke of a capability with 1 or 16 copies derived from it. Each needs
// state made beforehand (a free slot, a copy to delete, copies to revoke),
// which measure_each makes untimed before every operation. The setups
// count what they see succeed, so an operation that silently did nothing
// is reported as a failure rather than as a fast figure.
#include "bench/atoll/benches.hpp"
#include "bench/atoll/measure.hpp"
#include "runtime/lib/user/ipc.hpp"

namespace atoll_os::bench {
namespace {

using namespace atoll_os::user;

constexpr unsigned kBatches = 64, kPerBatch = 64;
constexpr unsigned kRuns = kPerBatch * (kBatches + 1); // measure_each: one batch of warm-up

unsigned check(bool passed, const char* what)
{
    if (!passed) print("bench: FAILED: %s", what);
    return passed ? 0 : 1;
}

// Revoke of the root after `n` fresh copies of it; the copies sit in this
// task's own table (revoke walks the derivation tree, whichever table
// holds each copy).
unsigned revoke_bench(const char* name, uint64_t tsc_hz, unsigned n)
{
    unsigned copies = 0;
    measure_each(
        name, tsc_hz, kBatches, kPerBatch, 1,
        [&] {
            for (unsigned i = 0; i < n; ++i) copies += ok(cap_copy(slot::kCapRoot, slot::kChildren + i, rights::kAll));
        },
        [] { (void)cap_revoke(slot::kCapRoot); });
    // Every copy was made, so every revoke before it had removed them all.
    unsigned left = 0;
    for (unsigned i = 0; i < n; ++i) left += cap_delete(slot::kChildren + i) != Status::kInvalidCapability;
    return check(copies == n * kRuns && left == 0, name);
}

} // namespace

unsigned capability_benches(uint64_t tsc_hz)
{
    if (check(ok(endpoint_create(sys::kSlotSelf, slot::kCapRoot)), "cap benchmarks: endpoint")) return 1;
    unsigned failures = 0;

    // Copy and delete are timed apart, each one system call with the other
    // as its untimed setup: the copy goes into an emptied slot, the delete
    // removes a copy just made (a leaf: nothing derived from it).
    unsigned deleted = 0;
    measure_each(
        "atoll/cap_copy/same_core", tsc_hz, kBatches, kPerBatch, 1,
        [&] { deleted += ok(cap_delete(slot::kCopy)); }, // nothing to delete the first time
        [] { (void)cap_copy(slot::kCapRoot, slot::kCopy, rights::kAll); });
    deleted += ok(cap_delete(slot::kCopy));
    failures += check(deleted == kRuns, "atoll/cap_copy/same_core");

    unsigned copied = 0;
    measure_each(
        "atoll/cap_delete/same_core", tsc_hz, kBatches, kPerBatch, 1,
        [&] { copied += ok(cap_copy(slot::kCapRoot, slot::kCopy, rights::kAll)); },
        [] { (void)cap_delete(slot::kCopy); });
    failures += check(copied == kRuns && cap_delete(slot::kCopy) == Status::kInvalidCapability,
                      "atoll/cap_delete/same_core");

    failures += revoke_bench("atoll/cap_revoke/same_core/children_1", tsc_hz, 1);
    failures += revoke_bench("atoll/cap_revoke/same_core/children_16", tsc_hz, 16);
    failures += check(ok(cap_delete(slot::kCapRoot)), "cap benchmarks: root deleted");
    return failures;
}

} // namespace atoll_os::bench
