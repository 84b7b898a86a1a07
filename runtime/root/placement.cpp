// Running the placement planner in the root task.
#include "runtime/root/placement.hpp"

#include "percpu/placement.hpp"
#include "runtime/root/root_log.hpp"

namespace atoll_os::root {

bool place_programs(const char* text, size_t len, const char* file, const ProgramEnv& env,
                    uint32_t (&cores)[bootcfg::kMaxPrograms])
{
    if (env.topology_bytes != sizeof(Topology)) {
        log("placement: the kernel gave no topology (%lu bytes); every program stays on core %u",
            env.topology_bytes, env.core);
        for (uint32_t& c : cores) c = env.core;
        return true;
    }
    const auto& topo = *reinterpret_cast<const Topology*>(env.topology_va);
    // About 90 KiB together: on the heap, which sigma0 pages in.
    auto* request = new placement::Request;
    auto* workspace = new placement::Workspace;
    auto* plan = new placement::Plan;
    placement::CostModel cost;
    placement::default_cost_model(cost);
    LogDiag diag;
    bool ok = placement::parse_request(text, len, file, *request, diag) &&
              placement::plan(topo, *request, cost, *workspace, *plan, diag);
    for (uint32_t i = 0; ok && i < plan->program_count; ++i) {
        const placement::ProgramRequest& p = request->programs[i];
        const CoreInfo& c = topo.cores[plan->core[i]];
        char near[16] = "-";
        if (p.near_line != 0) {
            const char* level = placement::level_name(plan->near_level[i]);
            size_t n = 0;
            for (; level[n] && n + 1 < sizeof near; ++n) near[n] = level[n] == ' ' ? '-' : level[n];
            near[n] = '\0';
        }
        log("placement: program %s core %u package %u core %u thread %u node %u l2 %u l3 %u near %s line %u", p.name,
            plan->core[i], c.package, c.core, c.thread, c.node, c.l2_group, c.l3_group, near, p.line);
        cores[i] = plan->core[i];
    }
    if (ok) log("placement: cost talk %lu apart %lu", plan->talk_cost, plan->apart_cost);
    delete plan;
    delete workspace;
    delete request;
    return ok;
}

} // namespace atoll_os::root
