"""The core-pair matrix of ./atoll bench: names to cells, table, heat map."""
import tempfile
import unittest
from pathlib import Path

from atoll import pairs


def entry(i, j, value):
    return {"name": f"atoll/ipc_roundtrip/cross_core/c{i}_c{j}/short", "ns": value}


class PairsTest(unittest.TestCase):
    def test_values_come_from_pair_names_only(self):
        entries = [entry(0, 1, 10), entry(1, 0, 20), {"name": "atoll/null_syscall", "ns": 1}]
        self.assertEqual(pairs.pair_values(entries, "ns"), {(0, 1): 10, (1, 0): 20})

    def test_urpc_pairs_are_kept_apart_from_kernel_ipc(self):
        urpc = {"name": "atoll/urpc_roundtrip/cross_core/c2_c1/polling", "ns": 5}
        entries = [entry(0, 1, 10), urpc, {"name": "atoll/urpc_roundtrip/cross_core/c0_c1", "ns": 7}]
        self.assertEqual(pairs.pair_values(entries, "ns"), {(0, 1): 10})
        self.assertEqual(pairs.pair_values(entries, "ns", pairs.URPC_PAIR), {(2, 1): 5})

    def test_matrix_has_an_empty_diagonal(self):
        cores, rows = pairs.matrix({(0, 1): 10, (1, 0): 20, (2, 0): 30})
        self.assertEqual(cores, 3)
        self.assertEqual(rows[0], [None, 10, None])
        self.assertEqual(rows[2], [30, None, None])

    def test_table_puts_callers_down_and_callees_across(self):
        text = pairs.table({(0, 1): 1234, (1, 0): 20}, "ns")
        self.assertIn("| core 0 | - | 1,234 |", text)
        self.assertIn("| core 1 | 20 | - |", text)

    def test_heat_map_is_a_png_when_matplotlib_is_there(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pairs.png"
            if pairs.heat_map({(0, 1): 1, (1, 0): 2}, "ns", path, "test"):
                self.assertEqual(path.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
            else:
                self.assertFalse(path.exists())

    def test_command_boots_one_copy_per_core(self):
        with tempfile.TemporaryDirectory() as tmp:
            build = Path(tmp)
            (build / "user").mkdir()
            (build / "user" / "xcore_pairs").write_bytes(b"")
            (build / "kernel").mkdir()
            (build / "kernel" / "atoll.mb").write_bytes(b"")
            cmd = pairs.command("tcg", 3, build)
        text = " ".join(cmd)
        self.assertIn("init=xcore_pairs,xcore_pairs@1,xcore_pairs@2", text)
        self.assertIn("-smp 3", text)


    def test_levels_follow_what_two_cores_share(self):
        log = "\n".join([
            "[c0 +0.000000] topology: core 0 apic 0 package 0 core 0 thread 0 node 0 l2 0 l3 0",
            "[c0 +0.000000] topology: core 1 apic 1 package 0 core 0 thread 1 node 0 l2 0 l3 0",
            "[c0 +0.000000] topology: core 2 apic 2 package 0 core 1 thread 0 node 0 l2 1 l3 0",
            "[c0 +0.000000] topology: core 3 apic 4 package 0 core 2 thread 0 node 0 l2 2 l3 1",
            "[c0 +0.000000] topology: core 4 apic 8 package 1 core 0 thread 0 node 1 l2 3 l3 2",
        ])
        cores = pairs.cores_from_log(log)
        self.assertEqual(len(cores), 5)
        self.assertEqual(pairs.level(cores, 0, 1), "smt")
        self.assertEqual(pairs.level(cores, 0, 2), "l3")
        self.assertEqual(pairs.level(cores, 0, 3), "package")
        self.assertEqual(pairs.level(cores, 0, 4), "machine")

    def test_by_placement_groups_pairs(self):
        cores = {0: (0, 0, 0, 0, 0, 0), 1: (0, 0, 1, 0, 0, 0), 2: (1, 0, 0, 1, 1, 1)}
        text = pairs.by_placement({(0, 1): 10, (1, 0): 30, (0, 2): 100}, cores, same_core=5)
        self.assertIn("| same core (cross task, on one core) | - | 5 | - |", text)
        self.assertIn("| smt | 2 | 30 | 10 |", text)
        self.assertIn("| machine | 1 | 100 | 100 |", text)


if __name__ == "__main__":
    unittest.main()
