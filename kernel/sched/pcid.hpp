// Process-context identifiers: with PCIDs a CR3 load need not flush the TLB,
// so a task's translations survive while others run. Each core numbers its
// own tasks (1..4095; 0 is the kernel's), never reusing a number until all
// have been handed out, when one full flush starts a new generation. A task
// whose mappings were removed while it was not loaded is "stale": its next
// load flushes its PCID.
#pragma once

#include <stdint.h>

namespace atoll_os {

class Task;

// The numbering, apart from the CPU (tested on the host): what one task's
// load needs.
class PcidAllocator {
public:
    static constexpr uint16_t kLast = 4095;
    struct Load {
        uint16_t pcid;
        bool flush_pcid;   // drop this PCID's translations as it loads
        bool flush_all;    // first drop every PCID's: a new generation starts
    };
    // `pcid`, `generation` and `stale` are the task's record, updated here.
    Load load(uint16_t& pcid, uint32_t& generation, bool& stale)
    {
        Load l{pcid, stale, false};
        stale = false;
        if (generation != generation_) {
            if (next_ > kLast) {
                l.flush_all = true;
                ++generation_;
                next_ = 1;
            }
            pcid = next_++;
            generation = generation_;
            l.pcid = pcid;
            l.flush_pcid = true; // whatever an earlier holder of the number left
        }
        return l;
    }

private:
    uint16_t next_ = 1;
    uint32_t generation_ = 1; // tasks start at 0: their first load allocates
};

// After CR4 setup on each core: turns PCIDs on if the CPU has them.
bool pcid_enable();
namespace pcid_state {
extern bool enabled; // per core; read on every address-space switch
} // namespace pcid_state
inline bool pcid_enabled() { return pcid_state::enabled; }

// The CR3 value that loads `task`'s address space with its PCID (only
// when pcid_enabled(); otherwise CR3 is just the tables).
uint64_t cr3_with_pcid(Task& task);

// CR3's address-space bits without the PCID (what identifies the tables).
inline uint64_t cr3_tables(uint64_t cr3) { return cr3 & 0x000ffffffffff000ull; }

} // namespace atoll_os
