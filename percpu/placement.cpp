// Placement planner: checks the requests against the machine, then greedy placement and local search.
#include "percpu/placement.hpp"

namespace atoll_os::placement {

namespace {

// A short text built without the heap: names listed in messages.
class Text {
public:
    void add(const char* s)
    {
        while (*s != '\0' && len_ + 1 < sizeof buf_) buf_[len_++] = *s++;
        buf_[len_] = '\0';
    }
    void add_name(const char* s)
    {
        if (len_ != 0) add(", ");
        add(s);
    }
    const char* str() const { return buf_; }

private:
    char buf_[200] = {};
    size_t len_ = 0;
};

uint32_t domain_of(const Topology& t, uint32_t core, Spread s)
{
    const CoreInfo& c = t.cores[core];
    switch (s) {
    case Spread::kPackage: return c.package;
    case Spread::kNode: return c.node;
    case Spread::kL3: return c.l3_group;
    case Spread::kNone: break;
    }
    return 0;
}

const char* domain_word(Spread s)
{
    switch (s) {
    case Spread::kPackage: return "package";
    case Spread::kNode: return "NUMA node";
    case Spread::kL3: return "L3 group";
    case Spread::kNone: break;
    }
    return "?";
}

const char* domain_words(Spread s)
{
    switch (s) {
    case Spread::kPackage: return "packages";
    case Spread::kNode: return "NUMA nodes";
    case Spread::kL3: return "L3 groups";
    case Spread::kNone: break;
    }
    return "?";
}

uint32_t count_domains(const Topology& t, Spread s)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < t.core_count; ++c) {
        bool seen = false;
        for (uint32_t e = 0; e < c && !seen; ++e) seen = domain_of(t, e, s) == domain_of(t, c, s);
        n += seen ? 0 : 1;
    }
    return n;
}

bool talk_between(const Workspace& ws, uint32_t a, uint32_t b) { return ((ws.talks[a] >> b) & 1) != 0; }
bool near_between(const Workspace& ws, uint32_t a, uint32_t b) { return ((ws.near[a] >> b) & 1) != 0; }

// How much closeness of two programs counts: 0 apart, 1 they talk, 2 one is
// near the other (an explicit request weighs more than talking).
uint32_t weight(const Workspace& ws, uint32_t a, uint32_t b)
{
    return near_between(ws, a, b) ? 2 : talk_between(ws, a, b) ? 1 : 0;
}

// The cost model for two programs with closeness weight w on cores a and b.
uint32_t pair_cost(const Topology& t, const CostModel& m, uint32_t w, uint32_t a, uint32_t b)
{
    const Level l = sharing(t, a, b);
    if (w == 0) return m.apart[static_cast<unsigned>(l)];
    const CoreInfo& x = t.cores[a];
    const CoreInfo& y = t.cores[b];
    if (x.node != y.node && x.node < kMaxNodes && y.node < kMaxNodes) return w * m.distance[t.distance[x.node][y.node]];
    return w * m.talk[static_cast<unsigned>(l)];
}

class Planner {
public:
    Planner(const Topology& t, const Request& r, const CostModel& m, Workspace& ws, Diag& diag)
        : t_(t), r_(r), m_(m), ws_(ws), diag_(diag), n_(r.program_count)
    {
    }

    bool run(Plan& out)
    {
        if (!relations() || !allowed_sets() || !spread_limits() || !near_possible() || !place_fixed()) return false;
        if (!place_rest()) return false;
        search();
        out.program_count = n_;
        for (uint32_t i = 0; i < n_; ++i) {
            out.core[i] = ws_.core[i];
            out.near_level[i] = Level::kMachine;
            const int target = r_.programs[i].near_line != 0 ? r_.index_of(r_.programs[i].near) : -1;
            if (target >= 0) out.near_level[i] = sharing(t_, ws_.core[i], ws_.core[target]);
        }
        plan_cost(t_, r_, m_, ws_.core, out.talk_cost, out.apart_cost);
        return true;
    }

private:
    const ProgramRequest& p(uint32_t i) const { return r_.programs[i]; }

    // talks and near, made symmetric.
    bool relations()
    {
        bool ok = true;
        for (uint32_t i = 0; i < n_; ++i) ws_.talks[i] = ws_.near[i] = 0;
        for (uint32_t i = 0; i < n_; ++i) {
            for (uint32_t k = 0; k < p(i).talk_count; ++k) {
                const int j = r_.index_of(p(i).talks[k]);
                if (j < 0 || static_cast<uint32_t>(j) == i) {
                    diag_.report("%s:%u: [program %s] talks: no other [program %s] in this file", r_.file,
                                 p(i).talks_line, p(i).name, p(i).talks[k]);
                    ok = false;
                    continue;
                }
                ws_.talks[i] |= uint64_t{1} << j;
                ws_.talks[j] |= uint64_t{1} << i;
            }
            if (p(i).near_line != 0) {
                const int j = r_.index_of(p(i).near);
                if (j < 0 || static_cast<uint32_t>(j) == i) {
                    diag_.report("%s:%u: [program %s] near = %s: no other [program %s] in this file", r_.file,
                                 p(i).near_line, p(i).name, p(i).near, p(i).near);
                    ok = false;
                    continue;
                }
                ws_.near[i] |= uint64_t{1} << j;
                ws_.near[j] |= uint64_t{1} << i;
                ws_.talks[i] |= uint64_t{1} << j;
                ws_.talks[j] |= uint64_t{1} << i;
            }
        }
        return ok;
    }

    // core and node, checked against the machine and intersected.
    bool allowed_sets()
    {
        bool ok = true;
        for (uint32_t i = 0; i < n_; ++i) {
            const ProgramRequest& q = p(i);
            CoreSet& a = ws_.allowed[i];
            a.clear();
            bool bad = false;
            if (q.core_line != 0) {
                for (uint32_t c = 0; c < kMaxCores; ++c) {
                    if (!q.cores.has(c)) continue;
                    if (c >= t_.core_count) {
                        diag_.report("%s:%u: [program %s] core = ...%u...: this machine has %u core%s (0-%u)",
                                     r_.file, q.core_line, q.name, c, t_.core_count, t_.core_count == 1 ? "" : "s",
                                     t_.core_count - 1);
                        bad = true;
                        break;
                    }
                    a.add(c);
                }
            } else {
                for (uint32_t c = 0; c < t_.core_count; ++c) a.add(c);
            }
            if (q.node_line != 0) {
                uint32_t on_node = 0;
                for (uint32_t c = 0; c < t_.core_count; ++c) on_node += t_.cores[c].node == q.node ? 1 : 0;
                if (q.node >= t_.node_count) {
                    diag_.report("%s:%u: [program %s] node = %u: this machine has %u NUMA node%s (0-%u)", r_.file,
                                 q.node_line, q.name, q.node, t_.node_count, t_.node_count == 1 ? "" : "s",
                                 t_.node_count - 1);
                    bad = true;
                } else if (on_node == 0) {
                    diag_.report("%s:%u: [program %s] node = %u: NUMA node %u has memory but no cores", r_.file,
                                 q.node_line, q.name, q.node, q.node);
                    bad = true;
                } else if (!bad) {
                    const uint32_t example = a.first();
                    for (uint32_t c = 0; c < t_.core_count; ++c)
                        if (t_.cores[c].node != q.node) a.bits[c / 64] &= ~(uint64_t{1} << (c % 64));
                    if (a.count() == 0) {
                        diag_.report("%s:%u: [program %s] core (line %u) and node = %u conflict: none of the "
                                     "cores it lists is on node %u (core %u is on node %u)",
                                     r_.file, q.node_line, q.name, q.core_line, q.node, q.node, example,
                                     t_.cores[example].node);
                        bad = true;
                    }
                }
            }
            ok = ok && !bad;
        }
        return ok;
    }

    // No more programs per spread kind than the machine has domains, and no
    // two of them confined to the same single domain.
    bool spread_limits()
    {
        bool ok = true;
        const Spread kinds[] = {Spread::kPackage, Spread::kNode, Spread::kL3};
        for (Spread s : kinds) {
            const uint32_t domains = count_domains(t_, s);
            uint32_t asking = 0;
            Text names;
            uint32_t over = 0;  // the first program past the limit
            for (uint32_t i = 0; i < n_; ++i) {
                if (p(i).spread != s) continue;
                names.add_name(p(i).name);
                if (++asking == domains + 1) over = i;
            }
            if (asking > domains) {
                diag_.report("%s:%u: [program %s] spread = %s: %u programs ask for it (%s) but this machine has "
                             "only %u %s",
                             r_.file, p(over).spread_line, p(over).name, spread_name(s), asking, names.str(), domains,
                             domains == 1 ? domain_word(s) : domain_words(s));
                ok = false;
                continue;
            }
            for (uint32_t i = 0; i < n_; ++i) {
                if (p(i).spread != s) continue;
                uint32_t di = 0;
                if (!single_domain(i, s, di)) continue;
                for (uint32_t j = 0; j < i; ++j) {
                    uint32_t dj = 0;
                    if (p(j).spread == s && single_domain(j, s, dj) && di == dj) {
                        diag_.report("%s:%u: [program %s] spread = %s: its core/node requests keep it in %s %u, "
                                     "like [program %s] (line %u)",
                                     r_.file, p(i).spread_line, p(i).name, spread_name(s), domain_word(s), di,
                                     p(j).name, p(j).line);
                        ok = false;
                        break;
                    }
                }
            }
        }
        // near and spread of the same kind on both sides cannot both hold.
        for (uint32_t i = 0; i < n_; ++i) {
            if (p(i).near_line == 0) continue;
            const int j = r_.index_of(p(i).near);
            if (j < 0 || p(i).spread == Spread::kNone || p(i).spread != p(j).spread) continue;
            diag_.report("%s:%u: [program %s] near = %s: both have spread = %s (lines %u and %u), so they must be "
                         "in different %s, but near needs a shared cache",
                         r_.file, p(i).near_line, p(i).name, p(i).near, spread_name(p(i).spread), p(i).spread_line,
                         p(j).spread_line, domain_words(p(i).spread));
            ok = false;
        }
        return ok;
    }

    // True with d set when every core program i may use is in one domain.
    bool single_domain(uint32_t i, Spread s, uint32_t& d) const
    {
        bool first = true;
        for (uint32_t c = 0; c < t_.core_count; ++c) {
            if (!ws_.allowed[i].has(c)) continue;
            if (first) {
                d = domain_of(t_, c, s);
                first = false;
            } else if (domain_of(t_, c, s) != d) {
                return false;
            }
        }
        return !first;
    }

    void describe_limit(uint32_t i, Text& s) const
    {
        const ProgramRequest& q = p(i);
        char line[16];
        if (q.core_line == 0 && q.node_line == 0) {
            s.add("any core");
            return;
        }
        if (q.core_line != 0) {
            s.add("core = ..., line ");
            s.add(number(q.core_line, line));
        }
        if (q.node_line != 0) {
            s.add(q.core_line != 0 ? "; node = " : "node = ");
            s.add(number(q.node, line));
            s.add(", line ");
            s.add(number(q.node_line, line));
        }
    }

    static const char* number(uint32_t v, char (&buf)[16])
    {
        char tmp[16];
        size_t n = 0;
        do {
            tmp[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0 && n < sizeof tmp);
        for (size_t k = 0; k < n; ++k) buf[k] = tmp[n - 1 - k];
        buf[n] = '\0';
        return buf;
    }

    // Some pair of allowed cores of a program and its near target shares an L3.
    bool near_possible()
    {
        bool ok = true;
        for (uint32_t i = 0; i < n_; ++i) {
            if (p(i).near_line == 0) continue;
            const uint32_t j = static_cast<uint32_t>(r_.index_of(p(i).near));
            bool found = false;
            for (uint32_t a = 0; a < t_.core_count && !found; ++a) {
                if (!ws_.allowed[i].has(a)) continue;
                for (uint32_t b = 0; b < t_.core_count && !found; ++b)
                    found = ws_.allowed[j].has(b) && sharing(t_, a, b) <= Level::kL3;
            }
            if (!found) {
                Text mine, theirs;
                describe_limit(i, mine);
                describe_limit(j, theirs);
                diag_.report("%s:%u: [program %s] near = %s: no core allowed for %s (%s) shares a cache with a "
                             "core allowed for %s (%s)",
                             r_.file, p(i).near_line, p(i).name, p(i).near, p(i).name, mine.str(), p(j).name,
                             theirs.str());
                ok = false;
            }
        }
        return ok;
    }

    void put(uint32_t i, uint32_t c)
    {
        ws_.core[i] = c;
        ws_.placed[i] = true;
        ++ws_.users[c];
    }

    // Programs with exactly one allowed core are placed first, as asked,
    // even on a core another pinned program also asked for.
    bool place_fixed()
    {
        for (uint32_t c = 0; c < kMaxCores; ++c) ws_.users[c] = 0;
        for (uint32_t i = 0; i < n_; ++i) {
            ws_.placed[i] = false;
            ws_.fixed[i] = ws_.allowed[i].count() == 1;
            if (ws_.fixed[i]) put(i, ws_.allowed[i].first());
        }
        bool ok = true;
        for (uint32_t i = 0; i < n_; ++i) {
            if (!ws_.fixed[i] || p(i).spread == Spread::kNone) continue;
            for (uint32_t j = 0; j < i; ++j) {
                if (!ws_.fixed[j] || p(j).spread != p(i).spread) continue;
                const Spread s = p(i).spread;
                if (domain_of(t_, ws_.core[i], s) == domain_of(t_, ws_.core[j], s)) {
                    diag_.report("%s:%u: [program %s] spread = %s: core %u is in the same %s (%u) as core %u of "
                                 "[program %s] (line %u), which also has spread = %s",
                                 r_.file, p(i).spread_line, p(i).name, spread_name(s), ws_.core[i], domain_word(s),
                                 domain_of(t_, ws_.core[i], s), ws_.core[j], p(j).name, p(j).line, spread_name(s));
                    ok = false;
                }
            }
        }
        return ok;
    }

    // Why core c cannot take program i now: 0 = it can.
    enum Block { kFree, kTaken, kSpread, kNear };

    // `share`: a core other programs use is acceptable (time-sharing it).
    Block blocked(uint32_t i, uint32_t c, uint32_t ignore = kMaxPrograms, bool share = false) const
    {
        if (!share && ws_.users[c] != 0 && !(ignore < n_ && ws_.core[ignore] == c && ws_.users[c] == 1))
            return kTaken;
        for (uint32_t j = 0; j < n_; ++j) {
            if (!ws_.placed[j] || j == i || j == ignore) continue;
            if (p(i).spread != Spread::kNone && p(j).spread == p(i).spread &&
                domain_of(t_, c, p(i).spread) == domain_of(t_, ws_.core[j], p(i).spread))
                return kSpread;
            if (near_between(ws_, i, j) && sharing(t_, c, ws_.core[j]) > Level::kL3) return kNear;
        }
        return kFree;
    }

    // The closest level program i on core c would share with its placed near partners.
    Level near_rank(uint32_t i, uint32_t c) const
    {
        Level worst = Level::kSameCpu;
        for (uint32_t j = 0; j < n_; ++j) {
            if (!ws_.placed[j] || j == i || !near_between(ws_, i, j)) continue;
            const Level l = sharing(t_, c, ws_.core[j]);
            worst = l > worst ? l : worst;
        }
        return worst;
    }

    uint64_t cost_at(uint32_t i, uint32_t c, uint32_t ignore = kMaxPrograms) const
    {
        uint64_t sum = 0;
        for (uint32_t j = 0; j < n_; ++j) {
            if (!ws_.placed[j] || j == i || j == ignore) continue;
            sum += pair_cost(t_, m_, weight(ws_, i, j), c, ws_.core[j]);
        }
        return sum;
    }

    uint32_t placed_partners(uint32_t i) const
    {
        uint32_t n = 0;
        for (uint32_t j = 0; j < n_; ++j) n += ws_.placed[j] && (talk_between(ws_, i, j) || near_between(ws_, i, j));
        return n;
    }

    // Next program: near-linked to a placed one, then fewest allowed cores,
    // then most talk partners already placed, then most partners, then file order.
    uint32_t next() const
    {
        uint32_t best = n_;
        for (uint32_t i = 0; i < n_; ++i) {
            if (ws_.placed[i]) continue;
            if (best == n_ || better_next(i, best)) best = i;
        }
        return best;
    }

    bool better_next(uint32_t a, uint32_t b) const
    {
        const bool na = has_placed_near(a);
        const bool nb = has_placed_near(b);
        if (na != nb) return na;
        const uint32_t ca = ws_.allowed[a].count(), cb = ws_.allowed[b].count();
        if (ca != cb) return ca < cb;
        const uint32_t pa = placed_partners(a), pb = placed_partners(b);
        if (pa != pb) return pa > pb;
        const int ta = __builtin_popcountll(ws_.talks[a]), tb = __builtin_popcountll(ws_.talks[b]);
        if (ta != tb) return ta > tb;
        return a < b;
    }

    bool has_placed_near(uint32_t i) const
    {
        for (uint32_t j = 0; j < n_; ++j)
            if (ws_.placed[j] && near_between(ws_, i, j)) return true;
        return false;
    }

    bool place_rest()
    {
        for (uint32_t i = next(); i < n_; i = next()) {
            uint32_t best = kMaxCores;
            Level best_rank = Level::kMachine;
            uint64_t best_cost = 0;
            uint32_t taken = 0, spread = 0, near = 0;
            for (uint32_t c = 0; c < t_.core_count; ++c) {
                if (!ws_.allowed[i].has(c)) continue;
                switch (blocked(i, c)) {
                case kTaken: ++taken; continue;
                case kSpread: ++spread; continue;
                case kNear: ++near; continue;
                case kFree: break;
                }
                const Level rank = near_rank(i, c);
                const uint64_t cost = cost_at(i, c);
                if (best == kMaxCores || rank < best_rank || (rank == best_rank && cost < best_cost)) {
                    best = c;
                    best_rank = rank;
                    best_cost = cost;
                }
            }
            // More programs than the cores they may use: time-share the
            // least used core. The same-core cost (apart[kSameCpu]) makes
            // this the last resort, and later moves onto free cores undo it.
            if (best == kMaxCores && taken > 0) {
                uint32_t fewest = ~0u;
                for (uint32_t c = 0; c < t_.core_count; ++c) {
                    if (!ws_.allowed[i].has(c) || blocked(i, c, kMaxPrograms, true) != kFree) continue;
                    const Level rank = near_rank(i, c);
                    const uint64_t cost = cost_at(i, c);
                    if (ws_.users[c] < fewest || (ws_.users[c] == fewest && (rank < best_rank ||
                                                                             (rank == best_rank && cost < best_cost)))) {
                        best = c;
                        fewest = ws_.users[c];
                        best_rank = rank;
                        best_cost = cost;
                    }
                }
            }
            if (best == kMaxCores) {
                Text limit;
                describe_limit(i, limit);
                diag_.report("%s:%u: [program %s]: no core left: of the %u cores it may use (%s), %u %s taken by "
                             "other programs, %u would break spread = %s and %u share no cache with its near "
                             "partner",
                             r_.file, p(i).line, p(i).name, ws_.allowed[i].count(), limit.str(), taken,
                             taken == 1 ? "is" : "are", spread, spread_name(p(i).spread), near);
                return false;
            }
            put(i, best);
        }
        return true;
    }

    // A move keeps every near partner at least as close as before.
    bool near_kept(uint32_t i, uint32_t c, uint32_t ignore = kMaxPrograms, uint32_t ignore_core = 0) const
    {
        for (uint32_t j = 0; j < n_; ++j) {
            if (j == i || !near_between(ws_, i, j)) continue;
            const uint32_t cj = j == ignore ? ignore_core : ws_.core[j];
            if (sharing(t_, c, cj) > sharing(t_, ws_.core[i], ws_.core[j])) return false;
        }
        return true;
    }

    void move(uint32_t i, uint32_t c)
    {
        --ws_.users[ws_.core[i]];
        ++ws_.users[c];
        ws_.core[i] = c;
    }

    uint64_t total() const
    {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < n_; ++i)
            for (uint32_t j = i + 1; j < n_; ++j)
                sum += pair_cost(t_, m_, weight(ws_, i, j), ws_.core[i], ws_.core[j]);
        return sum;
    }

    void set_cores(const uint32_t* cores)
    {
        for (uint32_t c = 0; c < kMaxCores; ++c) ws_.users[c] = 0;
        for (uint32_t i = 0; i < n_; ++i) {
            ws_.core[i] = cores[i];
            ++ws_.users[cores[i]];
        }
    }

    // A fixed sequence of pseudo-random numbers, so plans are reproducible.
    uint32_t random()
    {
        seed_ = seed_ * 1103515245u + 12345u;
        return seed_ >> 8;
    }

    // Iterated local search: improve, then from the best plan so far move a
    // few programs to random feasible cores and improve again; keep the best.
    void search()
    {
        improve();
        uint32_t movable = 0;
        for (uint32_t i = 0; i < n_; ++i) movable += ws_.fixed[i] ? 0 : 1;
        if (movable < 2) return;
        uint64_t best = total();
        for (uint32_t i = 0; i < n_; ++i) ws_.best[i] = ws_.core[i];
        // Large requests get fewer restarts: each costs more and the
        // greedy start matters less.
        const unsigned kicks = n_ <= 16 ? 24 : n_ <= 32 ? 12 : 6;
        for (unsigned kick = 0; kick < kicks; ++kick) {
            const uint32_t count = 2 + random() % (movable < 4 ? movable - 1 : 3);
            for (uint32_t k = 0; k < count; ++k) kick_one();
            improve();
            const uint64_t now = total();
            if (now < best) {
                best = now;
                for (uint32_t i = 0; i < n_; ++i) ws_.best[i] = ws_.core[i];
            } else {
                set_cores(ws_.best);
            }
        }
    }

    // Moves one random movable program to a random feasible free core.
    void kick_one()
    {
        uint32_t i = random() % n_;
        while (ws_.fixed[i]) i = (i + 1) % n_;
        const uint32_t start = random() % t_.core_count;
        for (uint32_t k = 0; k < t_.core_count; ++k) {
            const uint32_t c = (start + k) % t_.core_count;
            if (c != ws_.core[i] && ws_.allowed[i].has(c) && blocked(i, c) == kFree && near_kept_loosely(i, c)) {
                move(i, c);
                return;
            }
        }
    }

    // Near partners still share a cache (kicks may loosen, never break, near).
    bool near_kept_loosely(uint32_t i, uint32_t c) const
    {
        for (uint32_t j = 0; j < n_; ++j)
            if (j != i && near_between(ws_, i, j) && sharing(t_, c, ws_.core[j]) > Level::kL3) return false;
        return true;
    }

    // Local search: single moves to free cores, swaps of two programs, and
    // swaps of everything on two equal-sized domains (two physical cores, two
    // L3 groups, two nodes, two packages), while any of them lowers the cost.
    // The domain swaps move a group of programs that talk among themselves
    // together, which no single move or swap can do without first making
    // things worse.
    void improve()
    {
        for (unsigned pass = 0; pass < 16; ++pass) {
            bool changed = false;
            for (uint32_t i = 0; i < n_; ++i) {
                if (ws_.fixed[i]) continue;
                const uint64_t now = cost_at(i, ws_.core[i]);
                uint32_t best = kMaxCores;
                uint64_t best_cost = now;
                for (uint32_t c = 0; c < t_.core_count; ++c) {
                    if (c == ws_.core[i] || !ws_.allowed[i].has(c) || blocked(i, c) != kFree || !near_kept(i, c))
                        continue;
                    const uint64_t cost = cost_at(i, c);
                    if (cost < best_cost) {
                        best = c;
                        best_cost = cost;
                    }
                }
                if (best != kMaxCores) {
                    move(i, best);
                    changed = true;
                }
            }
            for (uint32_t i = 0; i < n_; ++i) {
                for (uint32_t j = i + 1; j < n_; ++j) {
                    if (!ws_.fixed[i] && !ws_.fixed[j] && try_swap(i, j)) changed = true;
                }
            }
            const Level levels[] = {Level::kSmt, Level::kL2, Level::kL3, Level::kNode, Level::kPackage};
            for (Level l : levels) changed = domain_swaps(l) || changed;
            if (!changed) break;
        }
    }

    // Cores with equal keys at level l form one domain.
    uint32_t domain_key(uint32_t c, Level l) const
    {
        const CoreInfo& x = t_.cores[c];
        switch (l) {
        case Level::kSmt: return (uint32_t{x.package} << 16) | x.core;
        case Level::kL2: return x.l2_group;
        case Level::kL3: return x.l3_group;
        case Level::kNode: return (uint32_t{x.node} << 16) | x.package;
        default: return x.package;
        }
    }

    // Fills ws_.domain_cores with the cores of every domain at level l,
    // domain by domain in order of their lowest core; ws_.domain_start[d] is
    // where domain d begins. Returns the number of domains.
    uint32_t build_domains(Level l)
    {
        uint32_t count = 0, filled = 0;
        for (uint32_t c = 0; c < t_.core_count; ++c) {
            bool seen = false;
            for (uint32_t d = 0; d < count && !seen; ++d)
                seen = domain_key(ws_.domain_cores[ws_.domain_start[d]], l) == domain_key(c, l);
            if (seen) continue;
            ws_.domain_start[count++] = static_cast<uint16_t>(filled);
            for (uint32_t e = c; e < t_.core_count; ++e)
                if (domain_key(e, l) == domain_key(c, l)) ws_.domain_cores[filled++] = static_cast<uint16_t>(e);
        }
        ws_.domain_start[count] = static_cast<uint16_t>(filled);
        return count;
    }

    bool domain_swaps(Level l)
    {
        const uint32_t count = build_domains(l);
        bool changed = false;
        for (uint32_t c = 0; c < kMaxCores; ++c) ws_.slot[c] = 0;
        for (uint32_t a = 0; a < count; ++a) {
            for (uint32_t b = a + 1; b < count; ++b) {
                if (try_domain_swap(a, b)) changed = true;
            }
        }
        return changed;
    }

    // Domain d's cores: [first, first + size) of ws_.domain_cores.
    void domain_span(uint32_t d, uint32_t& first, uint32_t& size) const
    {
        first = ws_.domain_start[d];
        size = ws_.domain_start[d + 1] - first;
    }

    bool try_domain_swap(uint32_t a, uint32_t b)
    {
        uint32_t fa = 0, sa = 0, fb = 0, sb = 0;
        domain_span(a, fa, sa);
        domain_span(b, fb, sb);
        if (sa != sb) return false;
        // Slot k+1 of a core in a; -(k+1) (as 0x8000 | k+1) in b.
        for (uint32_t k = 0; k < sa; ++k) {
            ws_.slot[ws_.domain_cores[fa + k]] = static_cast<uint16_t>(k + 1);
            ws_.slot[ws_.domain_cores[fb + k]] = static_cast<uint16_t>(0x8000 | (k + 1));
        }
        bool any = false, ok = true;
        for (uint32_t i = 0; i < n_ && ok; ++i) {
            const uint16_t s = ws_.slot[ws_.core[i]];
            ws_.trial[i] = ws_.core[i];
            ws_.moved[i] = s != 0;
            if (s == 0) continue;
            if (ws_.fixed[i]) ok = false;
            const uint32_t k = (s & 0x7fff) - 1u;
            ws_.trial[i] = (s & 0x8000) ? ws_.domain_cores[fa + k] : ws_.domain_cores[fb + k];
            any = true;
            ok = ok && ws_.allowed[i].has(ws_.trial[i]);
        }
        for (uint32_t k = 0; k < sa; ++k) {
            ws_.slot[ws_.domain_cores[fa + k]] = 0;
            ws_.slot[ws_.domain_cores[fb + k]] = 0;
        }
        if (!any || !ok || !trial_feasible()) return false;
        uint64_t before = 0, after = 0;
        for (uint32_t i = 0; i < n_; ++i) {
            if (!ws_.moved[i]) continue;
            for (uint32_t j = 0; j < n_; ++j) {
                if (j == i || (ws_.moved[j] && j < i)) continue;  // each pair once
                const uint32_t w = weight(ws_, i, j);
                before += pair_cost(t_, m_, w, ws_.core[i], ws_.core[j]);
                after += pair_cost(t_, m_, w, ws_.trial[i], ws_.trial[j]);
            }
        }
        if (after >= before) return false;
        for (uint32_t i = 0; i < n_; ++i) ws_.core[i] = ws_.trial[i];
        for (uint32_t k = 0; k < sa; ++k) {
            const uint16_t u = ws_.users[ws_.domain_cores[fa + k]];
            ws_.users[ws_.domain_cores[fa + k]] = ws_.users[ws_.domain_cores[fb + k]];
            ws_.users[ws_.domain_cores[fb + k]] = u;
        }
        return true;
    }

    // Spread and near still hold with every program on ws_.trial.
    bool trial_feasible() const
    {
        for (uint32_t i = 0; i < n_; ++i) {
            if (!ws_.moved[i]) continue;
            for (uint32_t j = 0; j < n_; ++j) {
                if (j == i) continue;
                const Spread s = p(i).spread;
                if (s != Spread::kNone && p(j).spread == s &&
                    domain_of(t_, ws_.trial[i], s) == domain_of(t_, ws_.trial[j], s))
                    return false;
                if (near_between(ws_, i, j) &&
                    sharing(t_, ws_.trial[i], ws_.trial[j]) > sharing(t_, ws_.core[i], ws_.core[j]))
                    return false;
            }
        }
        return true;
    }

    // Swaps the cores of i and j when allowed, feasible and cheaper.
    bool try_swap(uint32_t i, uint32_t j)
    {
        const uint32_t ci = ws_.core[i], cj = ws_.core[j];
        if (ci == cj || !ws_.allowed[i].has(cj) || !ws_.allowed[j].has(ci)) return false;
        if (blocked(i, cj, j) != kFree || blocked(j, ci, i) != kFree) return false;
        if (!near_kept(i, cj, j, ci) || !near_kept(j, ci, i, cj)) return false;
        const uint64_t before = cost_at(i, ci, j) + cost_at(j, cj, i);
        const uint64_t after = cost_at(i, cj, j) + cost_at(j, ci, i);
        // The i-j pair itself costs the same both ways round.
        if (after >= before) return false;
        ws_.core[i] = cj;
        ws_.core[j] = ci;
        return true;
    }

    const Topology& t_;
    const Request& r_;
    const CostModel& m_;
    Workspace& ws_;
    Diag& diag_;
    const uint32_t n_;
    uint32_t seed_ = 1;
};

} // namespace

const char* level_name(Level l)
{
    switch (l) {
    case Level::kSameCpu: return "same core";
    case Level::kSmt: return "smt";
    case Level::kL2: return "l2";
    case Level::kL3: return "l3";
    case Level::kNode: return "node";
    case Level::kPackage: return "package";
    case Level::kMachine: return "machine";
    }
    return "?";
}

Level sharing(const Topology& t, uint32_t a, uint32_t b)
{
    if (a == b) return Level::kSameCpu;
    const CoreInfo& x = t.cores[a];
    const CoreInfo& y = t.cores[b];
    if (x.package != y.package) return Level::kMachine;
    if (x.core == y.core) return Level::kSmt;
    if (x.l2_group == y.l2_group) return Level::kL2;
    if (x.l3_group == y.l3_group) return Level::kL3;
    if (x.node == y.node) return Level::kNode;
    return Level::kPackage;
}

void default_cost_model(CostModel& out)
{
    const uint32_t talk[kLevelCount] = {5, 10, 20, 40, 100, 200, 200};
    const uint32_t apart[kLevelCount] = {1000, 60, 30, 10, 0, 0, 0};
    for (unsigned l = 0; l < kLevelCount; ++l) {
        out.talk[l] = talk[l];
        out.apart[l] = apart[l];
    }
    for (unsigned d = 0; d < 256; ++d) out.distance[d] = 10 * d;
}

void plan_cost(const Topology& topo, const Request& req, const CostModel& cost, const uint32_t* cores,
               uint64_t& talk_cost, uint64_t& apart_cost)
{
    talk_cost = apart_cost = 0;
    const uint32_t n = req.program_count;
    for (uint32_t i = 0; i < n; ++i) {
        for (uint32_t j = i + 1; j < n; ++j) {
            bool talk = false;
            const ProgramRequest& a = req.programs[i];
            const ProgramRequest& b = req.programs[j];
            for (uint32_t k = 0; k < a.talk_count && !talk; ++k) talk = req.index_of(a.talks[k]) == static_cast<int>(j);
            for (uint32_t k = 0; k < b.talk_count && !talk; ++k) talk = req.index_of(b.talks[k]) == static_cast<int>(i);
            const bool near = (a.near_line != 0 && req.index_of(a.near) == static_cast<int>(j)) ||
                              (b.near_line != 0 && req.index_of(b.near) == static_cast<int>(i));
            const uint32_t w = near ? 2 : talk ? 1 : 0;
            (w != 0 ? talk_cost : apart_cost) += pair_cost(topo, cost, w, cores[i], cores[j]);
        }
    }
}

bool plan(const Topology& topo, const Request& req, const CostModel& cost, Workspace& ws, Plan& out, Diag& diag)
{
    if (req.program_count > kMaxPrograms) {
        diag.report("%s: %u programs (at most %u)", req.file, req.program_count, kMaxPrograms);
        return false;
    }
    if (topo.core_count == 0 || topo.core_count > kMaxCores) {
        diag.report("%s: the machine has %u cores (expected 1-%u)", req.file, topo.core_count, kMaxCores);
        return false;
    }
    Planner planner(topo, req, cost, ws, diag);
    return planner.run(out);
}

} // namespace atoll_os::placement
