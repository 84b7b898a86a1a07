"""`./atoll place` (tools/atoll/place.py): the machine and cost model handed
to atoll-place, its output, the picture, and end to end with the real
planner when it is built (ATOLL_PLACE, set by CTest, or build/tools)."""
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from atoll import paths, place, topo
from atoll.ui import AtollError

SERVICES = paths.ROOT / "tests" / "host" / "placement" / "services.cfg"
EXE = Path(os.environ.get("ATOLL_PLACE", place.planner_path()))


class InputsTest(unittest.TestCase):
    def test_topology_lines_are_the_kernel_format(self):
        t = topo.load("xeon-2s-28c")
        lines = place.topology_lines(t).splitlines()
        self.assertEqual(lines[0], "topology: core 0 apic 0 package 0 core 0 thread 0 node 0 l2 0 l3 0")
        self.assertEqual(lines[57], "topology: core 57 apic 65 package 1 core 28 thread 1 node 1 l2 28 l3 1")
        self.assertIn("numa: distance 0 1 = 21", lines)
        self.assertEqual(len(lines), 112 + 4)

    def test_missing_caches_fall_back_like_the_kernel(self):
        t = topo.parse_xml(topo.lstopo_xml("pack:2 [numa] core:2 pu:2"), "bare")
        line = place.topology_lines(t).splitlines()[5]
        self.assertEqual(line, "topology: core 5 apic 5 package 1 core 2 thread 1 node 1 l2 2 l3 1")

    def test_cost_lines(self):
        data = {"unit": "ns", "talk": {"smt": 40, "l3": 75.4, "node": 150}, "apart": {"smt": 90},
                "distance": {"32": 500}}
        lines = place.cost_lines(data, {10, 16, 32}).splitlines()
        self.assertEqual(lines, ["talk smt 40", "talk l3 75", "talk node 150", "apart smt 90",
                                 "distance 10 150", "distance 16 240", "distance 32 500"])

    def test_cost_errors(self):
        for data, message in (({"talk": {"cache": 1}}, "talk.cache: unknown level"),
                              ({"speed": 1}, "unknown key(s) speed"),
                              ({"talk": {"smt": -1}}, "expected a number >= 0"),
                              ({"distance": {"far": 3}}, "expected a SLIT distance")):
            with self.subTest(message=message), self.assertRaises(AtollError) as caught:
                place.cost_lines(data)
            self.assertIn(message, str(caught.exception))

    def test_parse_output(self):
        plan = place.parse_output("program net core 29 package 0 core 14 thread 1 node 1 l2 14 l3 0 near - line 4\n"
                                  "program log core 28 package 0 core 14 thread 0 node 1 l2 14 l3 0 near smt line 8\n"
                                  "cost talk 20 apart 0\n")
        self.assertEqual([(p.program, p.core, p.near, p.line) for p in plan.placements],
                         [("net", 29, "-", 4), ("log", 28, "smt", 8)])
        self.assertEqual((plan.talk_cost, plan.apart_cost), (20, 0))

    def test_annotated_xml(self):
        t = topo.load("desktop-1s-8c")
        plan = place.Plan((place.Placement("net", 3, 0, 1, 1, 0, 1, 0, "-", 2),
                           place.Placement("log", 3, 0, 1, 1, 0, 1, 0, "-", 5)), 0, 0)
        root = ET.fromstring(place.annotated_xml(t, plan))
        pu = [o for o in root.iter("object") if o.get("type") == "PU"][3]
        self.assertEqual([m.get("name") for m in pu.findall("object")], ["net", "log"])
        self.assertEqual(pu.find("info").get("name"), "lstopoStyle")


@unittest.skipUnless(EXE.is_file(), f"{EXE} not built")
class EndToEndTest(unittest.TestCase):
    def test_services_on_snc2(self):
        t = topo.load("xeon-2s-28c-snc2")
        plan = place.run(t, SERVICES, exe=EXE)
        by = {p.program: p for p in plan.placements}
        self.assertEqual(by["root"].core, 0)
        self.assertEqual(by["disk"].node, 1)
        self.assertEqual(by["log"].near, "smt")
        self.assertEqual((by["log"].package, by["log"].core_id), (by["net"].package, by["net"].core_id))
        self.assertNotEqual(by["web"].package, by["batch"].package)
        self.assertEqual(len({p.core for p in plan.placements}), 6)
        text = place.table(plan, t)
        self.assertIn("log ", text)
        self.assertIn("cost: talk", text)
        with tempfile.TemporaryDirectory() as tmp:
            png = place.picture(t, plan, Path(tmp) / "plan.png", "services.cfg")
            self.assertEqual(png.read_bytes()[:4], b"\x89PNG")

    def test_impossible_request_names_the_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "boot.cfg"
            cfg.write_text("[program a]\nnode = 7\n")
            with self.assertRaises(AtollError) as caught:
                place.run(topo.load("xeon-2s-28c"), cfg, exe=EXE)
        self.assertIn("no placement for boot.cfg on xeon-2s-28c", str(caught.exception))
        self.assertIn("boot.cfg:2: [program a] node = 7: this machine has 2 NUMA nodes (0-1)",
                      caught.exception.detail)

    def test_measured_cost_changes_the_plan(self):
        # With SMT siblings made expensive to talk over, two talkers take two physical cores.
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "pair.cfg"
            cfg.write_text("[program a]\ntalks = b\n[program b]\n")
            cost = Path(tmp) / "measured.json"
            cost.write_text(json.dumps({"talk": {"smt": 500, "l2": 500}}))
            t = topo.load("desktop-1s-8c")
            default = place.run(t, cfg, exe=EXE)
            measured = place.run(t, cfg, cost, exe=EXE)
        self.assertEqual(default.placements[0].core_id, default.placements[1].core_id)
        self.assertNotEqual(measured.placements[0].core_id, measured.placements[1].core_id)


if __name__ == "__main__":
    unittest.main()
