// Tests for the placement planner: constraints, the cost model's preferences, errors, and optimality on small machines.
#include <algorithm>
#include <random>

#include "tests/host/placement/placement_support.hpp"

namespace atoll_os::placement_test {
namespace {

// 2 packages x 2 nodes x 2 L3 x 4 cores x 2 threads = 64 cores.
Shape big() { return Shape{2, 2, 2, 4, 2}; }

TEST(Sharing, Levels)
{
    auto t = make_topology(big());
    EXPECT_EQ(sharing(*t, 0, 0), Level::kSameCpu);
    EXPECT_EQ(sharing(*t, 0, 1), Level::kSmt);
    EXPECT_EQ(sharing(*t, 0, 2), Level::kL3);
    EXPECT_EQ(sharing(*t, 0, 8), Level::kNode);
    EXPECT_EQ(sharing(*t, 0, 16), Level::kPackage);
    EXPECT_EQ(sharing(*t, 0, 32), Level::kMachine);
    EXPECT_STREQ(level_name(Level::kSmt), "smt");
    EXPECT_STREQ(level_name(Level::kSameCpu), "same core");
}

TEST(Placement, PinnedCoreAndCoreList)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\ncore = 5\n[program b]\ncore = 40,41\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(p->core("a"), 5u);
    EXPECT_TRUE(p->core("b") == 40 || p->core("b") == 41);
}

TEST(Placement, NodeConstraint)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\nnode = 3\n[program b]\nnode = 1\ncore = 0-31\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(t->cores[p->core("a")].node, 3u);
    EXPECT_EQ(t->cores[p->core("b")].node, 1u);
}

TEST(Placement, NearTakesTheSmtSiblingThenTheL3)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\ncore = 20\n[program b]\nnear = a\n[program c]\nnear = a\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(p->core("b"), 21u);
    EXPECT_EQ(sharing(*t, 20, p->core("c")), Level::kL3);
    EXPECT_EQ(p->plan.near_level[1], Level::kSmt);
    EXPECT_EQ(p->plan.near_level[2], Level::kL3);
}

TEST(Placement, NearWhenTheTargetIsPlacedLater)
{
    auto t = make_topology(big());
    // b comes first in the file but a's node restriction makes a placed first.
    auto p = plan_text(*t, "[program b]\nnear = a\n[program a]\nnode = 2\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(sharing(*t, p->core("a"), p->core("b")), Level::kSmt);
}

TEST(Placement, NearOutweighsTalk)
{
    auto t = make_topology(big());
    // disk is placed first (node = 1 leaves it the fewest cores) and takes
    // net's SMT sibling; log's near request still wins that sibling.
    auto p = plan_text(*t, "[program net]\ntalks = disk\n[program disk]\nnode = 1\n[program log]\nnear = net\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(sharing(*t, p->core("net"), p->core("log")), Level::kSmt);
    EXPECT_EQ(p->plan.near_level[2], Level::kSmt);
    EXPECT_EQ(sharing(*t, p->core("net"), p->core("disk")), Level::kL3);
}

TEST(Placement, SpreadGivesEachItsOwnDomain)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\nspread = node\n[program b]\nspread = node\n[program c]\nspread = node\n"
                           "[program d]\nspread = node\n[program x]\nspread = package\n[program y]\nspread = package\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    std::vector<unsigned> nodes;
    for (const char* n : {"a", "b", "c", "d"}) nodes.push_back(t->cores[p->core(n)].node);
    std::sort(nodes.begin(), nodes.end());
    EXPECT_EQ(nodes, (std::vector<unsigned>{0, 1, 2, 3}));
    EXPECT_NE(t->cores[p->core("x")].package, t->cores[p->core("y")].package);
}

TEST(Placement, SpreadL3)
{
    auto t = make_topology(Shape{1, 1, 4, 2, 1});
    auto p = plan_text(*t, "[program a]\nspread = l3\n[program b]\nspread = l3\n[program c]\nspread = l3\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_NE(t->cores[p->core("a")].l3_group, t->cores[p->core("b")].l3_group);
    EXPECT_NE(t->cores[p->core("a")].l3_group, t->cores[p->core("c")].l3_group);
    EXPECT_NE(t->cores[p->core("b")].l3_group, t->cores[p->core("c")].l3_group);
}

TEST(Placement, TalkersCloseOthersApart)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\ntalks = b\n[program b]\n[program c]\ntalks = d\n[program d]\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(sharing(*t, p->core("a"), p->core("b")), Level::kSmt);
    EXPECT_EQ(sharing(*t, p->core("c"), p->core("d")), Level::kSmt);
    // The two pairs do not share a core, an L2 or an L3.
    EXPECT_GT(sharing(*t, p->core("a"), p->core("c")), Level::kL3);
    EXPECT_EQ(p->plan.apart_cost, 0u);
    EXPECT_EQ(p->plan.talk_cost, 20u);
}

TEST(Placement, ChainStaysOnOneNode)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\ntalks = b\n[program b]\ntalks = c\n[program c]\ntalks = d\n[program d]\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    const unsigned node = t->cores[p->core("a")].node;
    for (const char* n : {"b", "c", "d"}) EXPECT_EQ(t->cores[p->core(n)].node, node) << n;
}

TEST(Placement, TalkAcrossPinnedNodesPrefersTheNearerNode)
{
    auto t = make_topology(big());
    // a on node 0; b must leave node 0 (spread) and talks to a: node 1 (distance 12) beats 2 and 3 (21).
    auto p = plan_text(*t, "[program a]\ncore = 0\nspread = node\n[program b]\ntalks = a\nspread = node\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(t->cores[p->core("b")].node, 1u);
}

TEST(Placement, PlanCostMatchesRecomputation)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, "[program a]\ntalks = b, c\n[program b]\nnode = 3\n[program c]\nspread = l3\n"
                           "[program d]\nspread = node\nnear = c\n[program e]\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    CostModel cost;
    default_cost_model(cost);
    uint64_t talk = 0, apart = 0;
    plan_cost(*t, *p->parsed->request, cost, p->plan.core, talk, apart);
    EXPECT_EQ(talk, p->plan.talk_cost);
    EXPECT_EQ(apart, p->plan.apart_cost);
}

TEST(Placement, Deterministic)
{
    auto t = make_topology(big());
    const char* text = "[program a]\ntalks = b, c\n[program b]\n[program c]\n[program d]\ntalks = a\n";
    auto p1 = plan_text(*t, text);
    auto p2 = plan_text(*t, text);
    ASSERT_TRUE(p1->ok && p2->ok);
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(p1->plan.core[i], p2->plan.core[i]);
}

struct Impossible {
    const char* name;
    const char* text;
    const char* message;
};

// CTest names value-parameterized tests by the printed value: print the name.
void PrintTo(const Impossible& c, std::ostream* os) { *os << c.name; }

class PlacementErrors : public ::testing::TestWithParam<Impossible> {};

TEST_P(PlacementErrors, NamesTheLineAndWhy)
{
    auto t = make_topology(big());
    auto p = plan_text(*t, GetParam().text);
    EXPECT_FALSE(p->ok);
    EXPECT_TRUE(p->diag.mentions(GetParam().message)) << "reports:\n" << p->diag.all();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlacementErrors,
    ::testing::Values(
        Impossible{"core_out_of_range", "[program a]\ncore = 64\n", "boot.cfg:2: [program a] core = ...64...: this machine has 64 cores (0-63)"},
        Impossible{"node_out_of_range", "[program a]\nnode = 4\n", "boot.cfg:2: [program a] node = 4: this machine has 4 NUMA nodes (0-3)"},
        Impossible{"core_node_conflict", "[program a]\ncore = 3\nnode = 1\n",
                   "boot.cfg:3: [program a] core (line 2) and node = 1 conflict: none of the cores it lists is on "
                   "node 1 (core 3 is on node 0)"},
        Impossible{"spread_more_than_domains", "[program a]\nspread = package\n[program b]\nspread = package\n[program c]\nspread = package\n",
                   "boot.cfg:6: [program c] spread = package: 3 programs ask for it (a, b, c) but this machine has "
                   "only 2 packages"},
        Impossible{"spread_pinned_same_node", "[program a]\ncore = 1\nspread = node\n[program b]\ncore = 2\nspread = node\n",
                   "boot.cfg:6: [program b] spread = node: its core/node requests keep it in NUMA node 0, like "
                   "[program a] (line 1)"},
        Impossible{"spread_confined_same_node", "[program a]\nnode = 0\nspread = node\n[program b]\nnode = 0\nspread = node\n",
                   "[program b] spread = node: its core/node requests keep it in NUMA node 0"},
        Impossible{"near_no_shared_cache", "[program a]\ncore = 0\n[program b]\nnode = 2\nnear = a\n",
                   "boot.cfg:5: [program b] near = a: no core allowed for b (node = 2, line 4) shares a cache with a "
                   "core allowed for a (core = ..., line 2)"},
        Impossible{"near_and_spread", "[program a]\nspread = l3\nnear = b\n[program b]\nspread = l3\n",
                   "boot.cfg:3: [program a] near = b: both have spread = l3 (lines 2 and 5)"}));

TEST(PlacementErrorsMore, MoreProgramsThanCoresTimeShare)
{
    // Three programs, two cores: two of them share one (the last resort).
    auto t = make_topology(Shape{1, 1, 1, 2, 1});
    auto p = plan_text(*t, "[program a]\n[program b]\n[program c]\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    const uint32_t a = p->core("a"), b = p->core("b"), c = p->core("c");
    EXPECT_EQ((a == b) + (a == c) + (b == c), 1) << a << " " << b << " " << c;
    EXPECT_GE(p->plan.apart_cost, 1000u); // the same-core cost, once
}

TEST(PlacementErrorsMore, PinnedTogetherIsAllowed)
{
    auto t = make_topology(Shape{1, 1, 1, 2, 1});
    auto p = plan_text(*t, "[program a]\ncore = 0\n[program b]\ncore = 0\n");
    ASSERT_TRUE(p->ok) << p->diag.all();
    EXPECT_EQ(p->core("a"), 0u);
    EXPECT_EQ(p->core("b"), 0u);
    EXPECT_EQ(p->plan.apart_cost, 1000u);
}

// On small machines the planner's result costs what the best assignment does.
struct Search {
    const Topology& t;
    const Request& r;
    const CostModel& cost;
    bool talk[kMaxPrograms][kMaxPrograms] = {};
    std::vector<uint32_t> cores;
    std::vector<bool> used;
    uint64_t best = UINT64_MAX;

    Search(const Topology& topo, const Request& req, const CostModel& m)
        : t(topo), r(req), cost(m), cores(req.program_count), used(topo.core_count)
    {
        for (unsigned i = 0; i < r.program_count; ++i)
            for (unsigned k = 0; k < r.programs[i].talk_count; ++k) {
                const int j = r.index_of(r.programs[i].talks[k]);
                talk[i][j] = talk[j][i] = true;
            }
    }

    uint64_t pair(unsigned a, unsigned b) const
    {
        const Level l = sharing(t, cores[a], cores[b]);
        if (!talk[a][b]) return cost.apart[static_cast<unsigned>(l)];
        const CoreInfo &x = t.cores[cores[a]], &y = t.cores[cores[b]];
        if (x.node != y.node) return cost.distance[t.distance[x.node][y.node]];
        return cost.talk[static_cast<unsigned>(l)];
    }

    bool spread_ok(unsigned a) const
    {
        const Spread s = r.programs[a].spread;
        if (s == Spread::kNone) return true;
        for (unsigned b = 0; b < a; ++b) {
            if (r.programs[b].spread != s) continue;
            const CoreInfo &x = t.cores[cores[a]], &y = t.cores[cores[b]];
            const bool same = s == Spread::kPackage ? x.package == y.package
                              : s == Spread::kNode  ? x.node == y.node
                                                    : x.l3_group == y.l3_group;
            if (same) return false;
        }
        return true;
    }

    void run(unsigned i, uint64_t so_far)
    {
        if (so_far >= best) return;
        if (i == r.program_count) {
            best = so_far;
            return;
        }
        for (uint32_t c = 0; c < t.core_count; ++c) {
            if (used[c]) continue;
            cores[i] = c;
            if (!spread_ok(i)) continue;
            uint64_t add = 0;
            for (unsigned j = 0; j < i; ++j) add += pair(i, j);
            used[c] = true;
            run(i + 1, so_far + add);
            used[c] = false;
        }
    }
};

TEST(PlacementOptimality, MatchesExhaustiveSearchOnSmallMachines)
{
    auto t = make_topology(Shape{2, 1, 2, 2, 2});  // 16 cores
    CostModel cost;
    default_cost_model(cost);
    std::mt19937 rng(7);
    const char* names[] = {"p0", "p1", "p2", "p3", "p4"};
    unsigned worse = 0;
    for (unsigned round = 0; round < 40; ++round) {
        std::string text;
        for (unsigned i = 0; i < 5; ++i) {
            text += std::string("[program ") + names[i] + "]\n";
            std::string talks;
            for (unsigned j = i + 1; j < 5; ++j)
                if (rng() % 3 == 0) talks += (talks.empty() ? "" : ", ") + std::string(names[j]);
            if (!talks.empty()) text += "talks = " + talks + "\n";
            if (rng() % 5 == 0) text += "spread = package\n";
        }
        auto p = plan_text(*t, text);
        auto spreads = std::count(text.begin(), text.end(), 'k');  // "spread = package" has one 'k'
        if (!p->ok) {
            EXPECT_GT(spreads, 2) << text << p->diag.all();
            continue;
        }
        Search search(*t, *p->parsed->request, cost);
        search.run(0, 0);
        const uint64_t best = search.best;
        const uint64_t got = p->plan.talk_cost + p->plan.apart_cost;
        EXPECT_GE(got, best);
        if (got > best) {
            std::string cs;
            for (unsigned i = 0; i < 5; ++i) cs += std::to_string(p->plan.core[i]) + " ";
            ADD_FAILURE() << text << "got " << got << " best " << best << " cores " << cs;
        }
        worse += got > best ? 1 : 0;
    }
    EXPECT_EQ(worse, 0u);
}

TEST(PlacementCostModel, Defaults)
{
    CostModel m;
    default_cost_model(m);
    EXPECT_EQ(m.talk[static_cast<unsigned>(Level::kSmt)], 10u);
    EXPECT_EQ(m.talk[static_cast<unsigned>(Level::kNode)], m.distance[kLocalDistance]);
    EXPECT_EQ(m.distance[21], 210u);
    EXPECT_EQ(m.apart[static_cast<unsigned>(Level::kNode)], 0u);
}

TEST(PlacementLimits, FullMachineOfPrograms)
{
    auto t = make_topology(Shape{2, 2, 2, 8, 2});  // 128 cores
    std::string text;
    for (unsigned i = 0; i < kMaxPrograms; ++i) {
        text += "[program p" + std::to_string(i) + "]\n";
        if (i > 0) text += "talks = p" + std::to_string(i - 1) + "\n";
    }
    auto p = plan_text(*t, text);
    ASSERT_TRUE(p->ok) << p->diag.all();
    std::vector<uint32_t> cores(p->plan.core, p->plan.core + kMaxPrograms);
    std::sort(cores.begin(), cores.end());
    EXPECT_EQ(std::adjacent_find(cores.begin(), cores.end()), cores.end()) << "two programs share a core";
}

} // namespace
} // namespace atoll_os::placement_test
