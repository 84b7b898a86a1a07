// The user runtime: malloc/free reuse and integrity, C++ new/delete with
// constructors and destructors, global constructors, and the slot allocator.
#include "runtime/lib/user/ipc.hpp"
#include "runtime/lib/user/malloc.hpp"
#include "runtime/lib/user/slots.hpp"
#include "runtime/lib/user/syscall.hpp"
#include "tests/user/check.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

namespace {

void c(bool ok, const char* what) { check(ok, "runtime_lib", what); }

int g_constructed_before_main;
struct Global {
    Global() { g_constructed_before_main = 42; }
} g_global;

int g_live;
struct Tracked {
    explicit Tracked(uint64_t v) : value(v) { ++g_live; }
    ~Tracked() { --g_live; }
    uint64_t value;
    char padding[40];
};

} // namespace

int main()
{
    c(g_constructed_before_main == 42, "global_constructors_ran");

    // Many sizes, contents checked after everything is allocated.
    constexpr int kBlocks = 400;
    unsigned char* blocks[kBlocks];
    bool all = true, aligned = true;
    for (int i = 0; i < kBlocks; ++i) {
        size_t size = size_t(1) + size_t(i * 37 % 9000);
        blocks[i] = static_cast<unsigned char*>(malloc(size));
        all = all && blocks[i];
        aligned = aligned && (reinterpret_cast<uint64_t>(blocks[i]) % 16 == 0);
        if (blocks[i]) __builtin_memset(blocks[i], i & 0xff, size);
    }
    bool intact = all;
    for (int i = 0; i < kBlocks && intact; ++i) {
        size_t size = size_t(1) + size_t(i * 37 % 9000);
        for (size_t j = 0; j < size && intact; j += 97) intact = blocks[i][j] == (i & 0xff);
    }
    c(all && aligned, "malloc_many_sizes_aligned");
    c(intact, "blocks_do_not_overlap");
    size_t mapped = heap_bytes_mapped();
    for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < kBlocks; ++i) blocks[i] = static_cast<unsigned char*>(malloc(size_t(1) + size_t(i * 37 % 9000)));
        for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
    }
    c(heap_bytes_mapped() == mapped, "freed_memory_is_reused");

    Tracked* t = new Tracked(7);
    Tracked* arr = new Tracked[3]{Tracked(1), Tracked(2), Tracked(3)};
    c(g_live == 4 && t->value == 7 && arr[2].value == 3, "new_runs_constructors");
    delete t;
    delete[] arr;
    c(g_live == 0, "delete_runs_destructors");

    uint64_t a = alloc_slot(), b = alloc_slot();
    c(a >= kFirstFreeSlot && b > a, "slots_above_the_fixed_ones");
    c(endpoint_create(sys::kSlotSelf, a) == Status::kOk, "allocated_slot_usable");
    free_slot(a);
    c(alloc_slot() == a, "freed_slot_reused");
    uint64_t n = 0;
    while (alloc_slot() != kNoSlot) ++n;
    c(n == kSlotCount - kFirstFreeSlot - 2, "all_slots_handed_out_once");
    return g_check_failures;
}
