"""The kernel-vs-hwloc comparison (tools/atoll/topo_check.py and the
boot check `topology`) against kernel logs simulated from the same rules
the kernel and QEMU follow, then broken one way at a time."""
import io
import unittest
from contextlib import redirect_stdout

from atoll import bootlog, boottest, configs, topo, topo_check, topo_qemu
from atoll.exitstatus import Outcome


def kernel_log(t, q, tweak=None):
    """What Atoll prints for topology t booted as q under TCG -cpu max:
    APIC ids from QEMU's rule, package/core/thread from the APIC id bit
    fields, L2 per core and L3 per package (no cache leaves), SRAT memory
    from 0 with the 640 KiB-1 MiB hole in node 0."""
    shape = q.shape
    smt = topo_qemu.field_width(shape.threads)
    pkg = smt + topo_qemu.field_width(shape.cores) + topo_qemu.field_width(shape.dies)
    node_of = {c: n for n, cpus in enumerate(q.node_cpus) for c in cpus}
    cores, lines = [], []
    for index, apic in enumerate(shape.apic_ids()):
        cores.append(dict(core=index, apic=apic, package=apic >> pkg,
                          core_id=(apic & ((1 << pkg) - 1)) >> smt, thread=apic & ((1 << smt) - 1),
                          node=node_of[index], l2=apic >> smt, l3=apic >> pkg))
    nodes = len(q.node_cpus)
    distances = {(i, j): q.distances[i][j] for i in range(nodes) for j in range(nodes)}
    memory, base = [], 0
    for n in range(nodes):
        end = base + (q.node_mib << 20)
        memory += [(n, 0, 0xa0000), (n, 0x100000, end)] if n == 0 else [(n, base, end)]
        base = end
    state = dict(cores=cores, distances=distances, memory=memory, count=len(cores), nodes=nodes)
    if tweak:
        tweak(state)
    lines.append(f"topology: {state['count']} cores, {state['nodes']} NUMA nodes "
                 "(cores from MADT, nodes from SRAT, distances from SLIT)")
    lines += [f"numa: distance {i} {j} = {v}" for (i, j), v in sorted(state["distances"].items())]
    lines += [f"numa: node {n} memory {a:#x}-{b:#x}" for n, a, b in state["memory"]]
    lines += ["topology: core {core} apic {apic} package {package} core {core_id} thread {thread} "
              "node {node} l2 {l2} l3 {l3}".format(**c) for c in state["cores"]]
    lines.append(f"boot: {len(cores)} of {len(cores)} cores online; starting the others took 123.456 ms")
    return "".join(f"[c0 +0.{n:06d}] {line}\n" for n, line in enumerate(lines))


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.t = topo.load("xeon-2s-28c-snc2")
        self.q = topo_qemu.plan(self.t)

    def problems(self, tweak=None):
        return topo_check.compare(self.t, self.q, kernel_log(self.t, self.q, tweak)).problems

    def test_faithful_kernel_passes(self):
        for name in ("desktop-1s-8c", "xeon-4s-8c", "xeon-2s-28c", "xeon-2s-28c-snc2", "epyc-2s-32c-naples"):
            with self.subTest(name=name):
                t = topo.load(name)
                q = topo_qemu.plan(t)
                result = topo_check.compare(t, q, kernel_log(t, q))
                self.assertEqual(result.problems, [])
                self.assertTrue(any("L3 groups not compared" in n for n in result.notes))
                self.assertTrue(any("123 ms" in n for n in result.notes))

    def test_l3_note_says_fallback_and_difference(self):
        t = topo.load("epyc-2s-32c-naples")
        q = topo_qemu.plan(t)
        note = topo_check.compare(t, q, kernel_log(t, q)).notes[0]
        self.assertIn("2 L3 group(s) (one per package: the kernel's fallback), which differs from hwloc's 16", note)

    def test_l3_compared_when_exposed(self):
        t = topo.load("epyc-2s-32c-naples")
        q = topo_qemu.plan(t)
        problems = topo_check.compare(t, q, kernel_log(t, q), l3_exposed=True).problems
        self.assertEqual(len(problems), 1)
        self.assertIn("L3 groups differ", problems[0])

    def test_wrong_node_shows_both_sides(self):
        def tweak(s):
            s["cores"][30]["node"] = 0
        problems = self.problems(tweak)
        self.assertTrue(any("apic 30: kernel core 30" in p and "node 0 vs 1" in p for p in problems), problems)
        self.assertTrue(any(p.startswith("NUMA nodes group different APIC ids") for p in problems), problems)

    def test_wrong_package(self):
        def tweak(s):
            s["cores"][5]["package"] = 1
        problems = self.problems(tweak)
        self.assertTrue(any("package 1 vs 0" in p for p in problems), problems)

    def test_distance(self):
        def tweak(s):
            s["distances"][(0, 1)] = 21
        problems = self.problems(tweak)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("distance matrices differ", problems[0])
        self.assertIn("kernel", problems[0])
        self.assertIn("hwloc", problems[0])

    def test_memory(self):
        def tweak(s):
            s["memory"][-1] = (3, s["memory"][-1][1], s["memory"][-1][2] - (64 << 20))
        problems = self.problems(tweak)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("node 3 memory differs", problems[0])
        self.assertIn("448.0 MiB", problems[0])

    def test_threads_per_core(self):
        def tweak(s):   # the kernel splits one core's threads into two cores
            s["cores"][1]["core_id"] = 99
        problems = self.problems(tweak)
        self.assertTrue(any("physical cores" in p for p in problems), problems)
        self.assertTrue(any("threads per core differ" in p for p in problems), problems)

    def test_unknown_apic_and_count(self):
        def tweak(s):
            s["cores"].pop()
            s["cores"][-1]["apic"] = 250
            s["count"] -= 1
        problems = self.problems(tweak)
        self.assertTrue(any("APIC id 250 is not one QEMU gives" in p for p in problems), problems)
        self.assertTrue(any("CPU count differs" in p for p in problems), problems)

    def test_fallback_nodes_reported(self):
        text = kernel_log(self.t, self.q).replace("nodes from SRAT", "nodes from fallback: one node")
        problems = topo_check.compare(self.t, self.q, text).problems
        self.assertIn("the kernel did not use the SRAT: (cores from MADT, nodes from fallback: one node, "
                      "distances from SLIT)", problems)

    def test_empty_log(self):
        self.assertEqual(topo_check.compare(self.t, self.q, "").problems,
                         ["no 'topology: N cores, M NUMA nodes' line in the log"])

    def test_parse_reads_hex_ranges_and_skips_hotplug(self):
        view = topo_check.parse("[c0 +0.100000] numa: node 0 memory 0x0-0xa0000\n"
                                "[c0 +0.100000] numa: node 0 memory 0x100000-0x200000 hotplug\n"
                                "[c0 +0.100000] boot: 4 of 4 cores online; starting the others took 75.250 ms\n")
        self.assertEqual(view.memory, {0: 0xa0000})
        self.assertEqual((view.online, view.boot_ms), (4, 75.25))


class BootCheckTest(unittest.TestCase):
    def test_topology_check_through_boottest(self):
        config = configs.get("topo-xeon-4s-8c")
        text = kernel_log(config.machine.topology, config.machine.qemu)
        out = io.StringIO()
        with redirect_stdout(out):
            problems = boottest.check_topology(config, Outcome(0, "ok"), bootlog.parse(text), None, text)
        self.assertEqual(problems, [])
        self.assertIn("note: L3 groups not compared", out.getvalue())


if __name__ == "__main__":
    unittest.main()
