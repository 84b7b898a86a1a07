"""The host core-to-core matrix and the cost model made from it."""
import json
import subprocess
import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

from atoll import hostmatrix


def cpu(index, package=0, core=0, thread=0, node=0, l2=-1, l3=-1):
    return SimpleNamespace(index=index, os_index=index, package=package, core=core, thread=thread, node=node,
                           l2=l2, l3=l3)


HOST = SimpleNamespace(name="box", cpus=[cpu(0, core=0, l2=0, l3=0), cpu(1, core=0, thread=1, l2=0, l3=0),
                                         cpu(2, core=1, l2=1, l3=0), cpu(3, package=1, core=2, node=1, l2=2, l3=1)])


def fake_runner(latency):
    def run(cmd, **_kwargs):
        a, b = map(int, next(c for c in cmd if c.startswith("--atoll_pus=")).split("=")[1].split(","))
        ns = latency(a, b)
        bench = [] if ns is None else [{"name": hostmatrix.BENCHMARK, "real_time": ns}]
        return subprocess.CompletedProcess(cmd, 0, json.dumps({"benchmarks": bench}), "")
    return run


class HostMatrixTest(unittest.TestCase):
    def test_levels(self):
        c = HOST.cpus
        self.assertEqual(hostmatrix.level(c[0], c[1]), "smt")
        self.assertEqual(hostmatrix.level(c[0], c[2]), "l3")
        self.assertEqual(hostmatrix.level(c[0], c[3]), "machine")

    def test_every_ordered_pair_is_measured_and_grouped(self):
        with tempfile.TemporaryDirectory() as tmp:
            exe = Path(tmp) / "atoll-linux-bench"
            exe.write_text("")
            latency = {("smt"): None, "l3": 50.0, "machine": 200.0}
            run = fake_runner(lambda a, b: latency[hostmatrix.level(HOST.cpus[a], HOST.cpus[b])])
            matrix = hostmatrix.measure(exe, host=HOST, runner=run)
            self.assertEqual(len(matrix), 12)
            model = hostmatrix.write(tmp, matrix, HOST)
            self.assertEqual(model["talk"], {"l3": 50, "machine": 200})
            self.assertEqual(json.loads((Path(tmp) / "host-cost.json").read_text())["unit"], "ns")
            pairs = json.loads((Path(tmp) / "host-matrix.json").read_text())["pairs"]
            self.assertIn({"from": 0, "to": 3, "ns": 200.0}, pairs)


if __name__ == "__main__":
    unittest.main()
