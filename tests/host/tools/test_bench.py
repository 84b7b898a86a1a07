import json
import tempfile
import unittest
from pathlib import Path

from atoll import bench, bootlog
from atoll.ui import AtollError

LOG = ("[c0 +0.100000] ipc_bench: BENCH atoll/null_syscall iterations=4096 ticks_min=97 ticks_median=97 "
       "ticks_p99=98 ns_median=97\n"
       "[c0 +0.200000] ipc_bench: BENCH atoll/context_switch/same_core/same_task iterations=4096 "
       "ticks_min=213 ticks_median=213 ticks_p99=214 ns_median=213\n")


class EntriesTest(unittest.TestCase):
    def test_icount_entries_are_instruction_counts(self):
        entries = bench.atoll_entries(bootlog.parse(LOG), "icount")
        self.assertEqual([e["name"] for e in entries],
                         ["atoll/null_syscall", "atoll/context_switch/same_core/same_task"])
        self.assertEqual(entries[0]["instructions"], 97)
        self.assertEqual(entries[0]["iterations"], 4096)
        self.assertEqual(entries[1]["ticks_p99"], 214)

    def test_report_gives_no_ratio_across_units(self):
        entries = bench.atoll_entries(bootlog.parse(LOG), "icount")
        linux = [{"name": "linux/sched_yield_switch/same_core", "ns_median": 2000.0, "ns_p99": 3000.0}]
        text = bench.report("icount", entries, linux, {"atoll_commit": "abc", "date": "d", "host_name": "h",
                                                       "num_cpus": 2})
        self.assertIn("instruction counts", text)
        self.assertIn("| `atoll/context_switch/same_core/same_task` | 213 | "
                      "`linux/sched_yield_switch/same_core` | 2,000 | — |", text)

    def test_report_lists_figures_without_a_baseline(self):
        log = LOG + ("[c0 +0.300000] ipc_bench: BENCH atoll/cap_copy/same_core iterations=4096 ticks_min=191 "
                     "ticks_median=191 ticks_p99=191 ns_median=191\n")
        entries = bench.atoll_entries(bootlog.parse(log), "icount")
        text = bench.report("icount", entries, [], {"atoll_commit": "abc", "date": "d", "host_name": "h",
                                                    "num_cpus": 2})
        self.assertIn("| `atoll/cap_copy/same_core` | 191 | — | — | — |", text)

    def test_kvm_report_gives_ratios(self):
        entries = bench.atoll_entries(bootlog.parse(LOG), "kvm")
        for e in entries:
            e["ns"] = 1000.0
        linux = [{"name": "linux/sched_yield_switch/same_core", "ns_median": 2000.0, "ns_p99": 3000.0}]
        text = bench.report("kvm", entries, linux, {"atoll_commit": "abc", "date": "d", "host_name": "h",
                                                    "num_cpus": 2})
        self.assertIn("| 0.50 |", text)


    def test_hardware_counters_become_counters_outside_icount(self):
        log = ("[c0 +0.100000] ipc_bench: BENCH atoll/null_syscall iterations=4096 ticks_min=180 "
               "ticks_median=190 ticks_p99=400 ns_median=95 instructions_median=98 cycles_median=175\n")
        kvm = bench.atoll_entries(bootlog.parse(log), "kvm")
        self.assertEqual((kvm[0]["instructions"], kvm[0]["cycles"]), (98, 175))
        text = bench.report("kvm", kvm, [], {"atoll_commit": "abc", "date": "d", "host_name": "h", "num_cpus": 2})
        self.assertIn("| `atoll/null_syscall` | 98 | 175 |", text)
        # Lines without counters (TCG, or a PMU-less hypervisor) get none.
        plain = bench.atoll_entries(bootlog.parse(LOG), "kvm")
        self.assertNotIn("cycles", plain[0])
        self.assertNotIn("Hardware counters", bench.report("kvm", plain, [], {"atoll_commit": "abc", "date": "d",
                                                                              "host_name": "h", "num_cpus": 2}))


class CompareTest(unittest.TestCase):
    def _write(self, benchmarks):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"context": {}, "benchmarks": benchmarks}, f)
        return Path(f.name)

    def test_ratio_per_common_benchmark(self):
        a = self._write([{"name": "atoll/x", "run_type": "iteration", "instructions": 100}])
        b = self._write([{"name": "atoll/x", "run_type": "iteration", "instructions": 90},
                         {"name": "atoll/only_b", "run_type": "iteration", "instructions": 1}])
        table = bench.compare(a, b)
        self.assertIn("atoll/x", table)
        self.assertIn("0.90", table)
        self.assertNotIn("only_b", table)

    def test_nothing_in_common_is_an_error(self):
        a = self._write([{"name": "a", "run_type": "iteration", "real_time": 1}])
        b = self._write([{"name": "b", "run_type": "iteration", "real_time": 1}])
        with self.assertRaises(AtollError):
            bench.compare(a, b)
