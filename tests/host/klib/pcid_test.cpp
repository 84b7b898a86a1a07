// PCID numbering: no number is reused within a generation, a new generation
// starts with a full flush, and a stale or newly numbered task flushes its own.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "kernel/sched/pcid.hpp"

using atoll_os::PcidAllocator;

namespace {

struct TaskRecord {
    uint16_t pcid = 0;
    uint32_t generation = 0;
    bool stale = false;
};

TEST(Pcid, FirstLoadNumbersAndFlushesThenKeeps)
{
    PcidAllocator a;
    TaskRecord t;
    auto first = a.load(t.pcid, t.generation, t.stale);
    EXPECT_EQ(first.pcid, 1);
    EXPECT_TRUE(first.flush_pcid);
    EXPECT_FALSE(first.flush_all);
    auto again = a.load(t.pcid, t.generation, t.stale);
    EXPECT_EQ(again.pcid, 1);
    EXPECT_FALSE(again.flush_pcid);
}

TEST(Pcid, StaleTaskFlushesItsOwnOnce)
{
    PcidAllocator a;
    TaskRecord t;
    (void)a.load(t.pcid, t.generation, t.stale);
    t.stale = true;
    EXPECT_TRUE(a.load(t.pcid, t.generation, t.stale).flush_pcid);
    EXPECT_FALSE(t.stale);
    EXPECT_FALSE(a.load(t.pcid, t.generation, t.stale).flush_pcid);
}

TEST(Pcid, NumbersUniqueUntilWrapThenFullFlush)
{
    PcidAllocator a;
    std::vector<TaskRecord> tasks(PcidAllocator::kLast + 1);
    std::set<uint16_t> seen;
    for (size_t i = 0; i < PcidAllocator::kLast; ++i) {
        auto l = a.load(tasks[i].pcid, tasks[i].generation, tasks[i].stale);
        EXPECT_FALSE(l.flush_all);
        EXPECT_NE(l.pcid, 0) << "0 is the kernel's";
        EXPECT_TRUE(seen.insert(l.pcid).second) << "reused " << l.pcid;
    }
    // One more task: the numbers are used up, so a full flush starts over.
    auto wrap = a.load(tasks.back().pcid, tasks.back().generation, tasks.back().stale);
    EXPECT_TRUE(wrap.flush_all);
    EXPECT_EQ(wrap.pcid, 1);
    // Tasks of the old generation are renumbered (and flush) when next loaded.
    auto old = a.load(tasks[0].pcid, tasks[0].generation, tasks[0].stale);
    EXPECT_EQ(old.pcid, 2);
    EXPECT_TRUE(old.flush_pcid);
    EXPECT_FALSE(old.flush_all);
}

} // namespace
