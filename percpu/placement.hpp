// Placement planner: one core per program, from the machine's topology and the programs' requests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/diag.hpp"
#include "percpu/placement_config.hpp"
#include "percpu/topology.hpp"

// Pure and freestanding: the same code plans on the host (atoll-place, from
// hwloc's view of a machine) and, later, in the root task on Atoll (from the
// kernel's Topology). No heap: the caller provides the Workspace.
//
// The cost model (docs/placement.md): two cores share a Level. Programs that
// talk (either side lists the other in `talks`) cost talk[level] when their
// cores are on the same NUMA node, and distance[SLIT distance] when they are
// not; a `near` pair costs twice that (an explicit request outweighs
// talking). Programs that do not talk cost apart[level]: sharing a core, an
// L2 or an L3 makes them compete. The plan
// is the feasible assignment with the lowest total found by a greedy pass
// (most constrained program first), then iterated local search: moves,
// swaps and swaps of whole domains, restarted from a few deterministic
// random perturbations, keeping the best.
namespace atoll_os::placement {

// What two cores share, closest first.
enum class Level : uint8_t {
    kSameCpu,  // the same core (hardware thread): only when both are pinned there
    kSmt,      // the same physical core: SMT siblings (share L1 and L2)
    kL2,       // the same L2
    kL3,       // the same L3 group
    kNode,     // the same NUMA node and package, no cache
    kPackage,  // the same package, different NUMA nodes
    kMachine,  // different packages
};
inline constexpr unsigned kLevelCount = 7;

const char* level_name(Level l);  // "same core", "smt", "l2", "l3", "node", "package", "machine"

// What cores a and b (indexes into t.cores) share.
Level sharing(const Topology& t, uint32_t a, uint32_t b);

struct CostModel {
    uint32_t talk[kLevelCount];   // talking programs, cores on the same node
    uint32_t distance[256];       // talking programs on different nodes, by SLIT distance
    uint32_t apart[kLevelCount];  // programs that do not talk
};

// talk: same core 5, smt 10, l2 20, l3 40, node 100, package/machine 200
// (same node id on two packages: machines without an SRAT); distance[d] =
// 10 * d, so a remote node at SLIT 21 costs 210 and the local node's 10
// matches talk[kNode] = 100; apart: same core 1000, smt 60, l2 30, l3 10,
// else 0. Units: roughly tenths of a local memory access.
void default_cost_model(CostModel& out);

struct Plan {
    uint32_t program_count;               // as the request
    uint32_t core[kMaxPrograms];          // per program, in request order: index into Topology::cores
    Level near_level[kMaxPrograms];       // for a program with `near`: what it shares with that program
    uint64_t talk_cost, apart_cost;       // the two sums of the cost model
};

// Scratch state for plan(); about 6 KiB. Contents are meaningless between calls.
struct Workspace {
    CoreSet allowed[kMaxPrograms];
    uint64_t talks[kMaxPrograms];  // bit j: programs i and j talk (or are near-linked)
    uint64_t near[kMaxPrograms];   // bit j: i is near j or j is near i
    uint32_t core[kMaxPrograms];
    bool placed[kMaxPrograms];
    bool fixed[kMaxPrograms];
    uint16_t users[kMaxCores];     // programs placed on each core
    uint32_t best[kMaxPrograms];   // the best plan found so far
    uint32_t trial[kMaxPrograms];  // cores under a tried domain swap
    bool moved[kMaxPrograms];
    uint16_t slot[kMaxCores];
    uint16_t domain_cores[kMaxCores];
    uint16_t domain_start[kMaxCores + 1];
};

// Plans one core per program of req on topo. Every impossible or conflicting
// request is reported through diag naming the config line and why ("boot.cfg:
// 9: [program net] near = disk: no core allowed for net (node = 1, line 8)
// shares a cache with disk's cores (core = 3, line 4)"), and plan returns
// false; out is then unspecified. Deterministic: the same input always gives
// the same plan.
bool plan(const Topology& topo, const Request& req, const CostModel& cost, Workspace& ws, Plan& out, Diag& diag);

// The cost of req's programs on the given cores (cores[i] is program i's
// core): what plan minimizes, for tests and for comparing plans.
void plan_cost(const Topology& topo, const Request& req, const CostModel& cost, const uint32_t* cores,
               uint64_t& talk_cost, uint64_t& apart_cost);

} // namespace atoll_os::placement
