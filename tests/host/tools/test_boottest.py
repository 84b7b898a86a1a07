"""Boot-test checks against synthetic logs (no QEMU)."""
import io
import json
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

from atoll import bootlog, boottest, configs
from atoll.exitstatus import Outcome

CLEAN = Outcome(0, "the OS shut down with status 0")


def online(core, apic=None, package=0, node=0):
    apic = core if apic is None else apic
    return (f"core {core} online: apic {apic}, package {package}, core {core}, "
            f"thread 0, node {node}")


def parse(*texts):
    return bootlog.parse("".join(f"[c0 +0.000001] {t}\n" for t in texts))


GOOD_SMP2 = (online(0), online(1), "KTEST PASS alpha core=0", "KTEST PASS alpha core=1",
             "KTEST-SUMMARY passed=2 failed=0", "atoll: shutdown status=0")


class KtestCheckTest(unittest.TestCase):
    config = configs.get("tcg-smp2")

    def test_pass(self):
        self.assertEqual(boottest.check_ktest(self.config, CLEAN, parse(*GOOD_SMP2), "alpha"), [])

    def test_missing(self):
        problems = boottest.check_ktest(self.config, CLEAN, parse(*GOOD_SMP2), "beta")
        self.assertEqual(problems, ["no 'KTEST PASS beta' line"])

    def test_fail_on_one_core_fails_the_test(self):
        log = parse("KTEST PASS alpha core=0", "KTEST FAIL alpha core=1 lost a message",
                    "KTEST-SUMMARY passed=1 failed=1")
        problems = boottest.check_ktest(self.config, CLEAN, log, "alpha")
        self.assertEqual(problems, ["KTEST FAIL alpha on core 1: lost a message"])

    def test_no_summary_or_panic(self):
        log = parse("KTEST PASS alpha core=0", "PANIC core 1: oops")
        problems = boottest.check_ktest(self.config, CLEAN, log, "alpha")
        self.assertIn("no 'KTEST-SUMMARY' line: the test run did not finish", problems)
        self.assertIn("PANIC on core 1: oops", problems)


class OnlineCheckTest(unittest.TestCase):
    def test_exactly_once(self):
        config = configs.get("tcg-smp4")
        log = parse(online(0), online(1), online(1), online(3), online(7))
        self.assertEqual(boottest.check_online(config, CLEAN, log), [
            "'core 1 online' appears 2 times (expected once)",
            "'core 2 online' appears 0 times (expected once)",
            "unexpected 'core 7 online' (only cores 0..3 exist)"])

    def test_all_there(self):
        config = configs.get("tcg-smp64")
        log = parse(*(online(c) for c in reversed(range(64))))
        self.assertEqual(boottest.check_online(config, CLEAN, log), [])


class ShutdownCheckTest(unittest.TestCase):
    config = configs.get("tcg-smp1")

    def test_clean(self):
        log = parse("atoll: shutdown status=0")
        self.assertEqual(boottest.check_shutdown(self.config, CLEAN, log), [])

    def test_no_line(self):
        self.assertEqual(boottest.check_shutdown(self.config, CLEAN, parse()),
                         ["no 'atoll: shutdown status=' line"])

    def test_status_1(self):
        problems = boottest.check_shutdown(self.config, Outcome(1, "the OS shut down with status 1"),
                                           parse("atoll: shutdown status=1"))
        self.assertEqual(problems, ["kernel reported 'atoll: shutdown status=1'",
                                    "QEMU: the OS shut down with status 1"])

    def test_timeout(self):
        outcome = Outcome(None, "the OS did not shut down within 240 s: timed out, QEMU killed")
        problems = boottest.check_shutdown(self.config, outcome, parse(online(0)))
        self.assertIn(f"QEMU: {outcome.description}", problems)

    def test_log_and_exit_disagree(self):
        problems = boottest.check_shutdown(self.config, CLEAN, parse("atoll: shutdown status=2"))
        self.assertIn("QEMU exit says status 0 but the log disagrees", problems)


class NumaCheckTest(unittest.TestCase):
    config = configs.get("tcg-numa")
    DISTANCES = ("numa: distance 0 0 = 10", "numa: distance 0 1 = 21",
                 "numa: distance 1 0 = 21", "numa: distance 1 1 = 10")

    def test_good(self):
        log = parse(online(0), online(1), online(2, package=1, node=1),
                    online(3, package=1, node=1), *self.DISTANCES)
        self.assertEqual(boottest.check_numa(self.config, CLEAN, log), [])

    def test_wrong_node_and_distance(self):
        log = parse(online(0), online(1), online(2, package=1, node=0),
                    online(3, package=1, node=1), *self.DISTANCES[:2], "numa: distance 1 0 = 20")
        self.assertEqual(boottest.check_numa(self.config, CLEAN, log), [
            "core 2 (apic 2): node 0, expected 1",
            "'numa: distance 1 0 = 20', expected 21",
            "no 'numa: distance 1 1 = 10' line"])


class SratCheckTest(unittest.TestCase):
    config = configs.get("tcg-badsrat")

    def test_good(self):
        log = parse(online(0), online(1), "acpi: SRAT: entry 2 length 40 runs past the end")
        self.assertEqual(boottest.check_srat(self.config, CLEAN, log), [])

    def test_half_applied_table(self):
        log = parse(online(0), online(1, node=1))
        self.assertEqual(boottest.check_srat(self.config, CLEAN, log), [
            "no 'acpi: ...' line mentioning SRAT (the table is malformed on purpose)",
            "core 1 on node 1, expected node 0 (bad SRAT must be ignored)"])


class PanicCheckTest(unittest.TestCase):
    config = configs.get("tcg-panic")
    PANICKED = Outcome(3, "the OS shut down with status 3 (kernel panic)")

    def panic_log(self, core=1, frame="deliberate_panic_inner", end=True):
        return bootlog.parse(
            f"PANIC core {core}: deliberate panic requested by the panic self-test on core {core}\n"
            "backtrace:\n"
            f"  #0 ffffffff80001000 atoll_os::(anonymous namespace)::{frame}(unsigned int)+0x1c\n"
            + (f"PANIC end core {core}\n" if end else ""))

    def test_good(self):
        self.assertEqual(boottest.check_panic(self.config, self.PANICKED, self.panic_log()), [])

    def test_no_panic(self):
        self.assertEqual(boottest.check_panic(self.config, CLEAN, parse(online(0))),
                         ["no 'PANIC core 1: ...' line"])

    def test_wrong_core_unsymbolized_unfinished_and_killed(self):
        killed = Outcome(None, "the OS did not shut down: kernel PANIC (QEMU stopped by the runner)")
        problems = boottest.check_panic(self.config, killed,
                                        self.panic_log(core=0, frame="?", end=False))
        self.assertEqual(len(problems), 4, problems)
        self.assertTrue(problems[0].startswith("first panic is 'PANIC core 0"))
        self.assertIn("does not name deliberate_panic_inner", problems[1])
        self.assertEqual(problems[2], "no 'PANIC end core 0' line")
        self.assertIn("expected status 3", problems[3])


class SavedResultsTest(unittest.TestCase):
    """check() reads build/boot-logs/<config>/results.json and serial.log."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.build = Path(self.tmp.name)
        self.out = self.build / "boot-logs" / "tcg-smp2"
        self.out.mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def save(self, results, serial=""):
        (self.out / "results.json").write_text(json.dumps(results))
        (self.out / "serial.log").write_text(serial)

    def run_check(self, *args):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = boottest.main(["check", "--config", "tcg-smp2",
                                  "--build-dir", str(self.build), *args])
        return code, buffer.getvalue()

    def test_pass_and_fail_with_context(self):
        serial = "".join(f"[c0 +0.000001] {t}\n" for t in GOOD_SMP2)
        self.save({"outcome": {"os_status": 0, "description": "ok"},
                   "log": bootlog.parse(serial).to_dict()}, serial)
        self.assertEqual(self.run_check("ktest", "alpha")[0], 0)
        self.assertEqual(self.run_check("online")[0], 0)
        code, output = self.run_check("ktest", "beta")
        self.assertEqual(code, 1)
        self.assertIn("no 'KTEST PASS beta' line", output)
        self.assertIn("last lines of the serial log", output)

    def test_skipped(self):
        self.save({"config": "kvm-smp2", "skipped": "kvm probe failed: x"})
        code, output = self.run_check("shutdown")
        self.assertEqual(code, boottest.SKIP)
        self.assertIn("kvm probe failed", output)

    def test_no_results(self):
        self.assertEqual(self.run_check("shutdown")[0], 1)

    def test_skipped_reasons(self):
        self.save({"config": "tcg-smp2", "skipped": "kvm probe failed: x"})
        self.assertEqual(boottest.skipped(self.build), [("tcg-smp2", "kvm probe failed: x")])
        self.assertEqual(boottest.skipped(self.build, since=2**40), [])


class ManifestTest(unittest.TestCase):
    def test_lines(self):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            boottest.main(["manifest"])
        lines = buffer.getvalue().splitlines()
        self.assertIn("tcg-smp1 240 1 1 online shutdown", lines)
        self.assertIn("tcg-smp64 600 2 1 online shutdown", lines)
        self.assertIn("tcg-numa 240 2 1 online shutdown numa", lines)
        self.assertIn("tcg-badsrat 240 2 0 online shutdown srat", lines)
        self.assertIn("kvm-smp2 240 2 1 online shutdown", lines)
        self.assertIn("iso-uefi 240 2 0 online shutdown", lines)
        self.assertIn("tcg-panic 240 2 0 panic", lines)
        self.assertIn("tcg-user 240 1 0 online user", lines)
        self.assertIn("tcg-ipc 240 1 0 online user", lines)
        self.assertIn("tcg-fuzz 300 1 0 online user", lines)
        self.assertIn("tcg-caps 240 1 0 online user", lines)
        self.assertIn("icount-bench 240 1 0 online bench", lines)
        self.assertEqual(len(lines), len(configs.CONFIGS))

    def test_check_names_are_known(self):
        for config in configs.CONFIGS:
            for check in config.checks:
                self.assertIn(check, boottest.CHECKS)


if __name__ == "__main__":
    unittest.main()


class BudgetTest(unittest.TestCase):
    def _budgets(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        return f.name

    def test_budgets_file_parses(self):
        path = self._budgets("# comment\natoll/null_syscall 130  # 120\n\natoll/x 7\n")
        self.assertEqual(boottest.read_budgets(path), {"atoll/null_syscall": 130, "atoll/x": 7})

    def test_malformed_budget_names_the_line(self):
        path = self._budgets("atoll/null_syscall 130\natoll/bad many\n")
        with self.assertRaises(boottest.AtollError) as ctx:
            boottest.read_budgets(path)
        self.assertIn(":2:", str(ctx.exception))

    def test_over_budget_and_missing_lines_fail(self):
        log = bootlog.parse("[c0 +0.100000] b: BENCH atoll/a iterations=64 ticks_min=9 ticks_median=11 ticks_p99=12 ns_median=11\n")
        budgets = {"atoll/a": 10, "atoll/b": 5}
        real = boottest.read_budgets
        boottest.read_budgets = lambda path: budgets
        try:
            problems = boottest.check_bench(configs.get("icount-bench"), Outcome(0, "ok"), log)
        finally:
            boottest.read_budgets = real
        self.assertIn("atoll/a: 11 instructions, budget 10", problems)
        self.assertIn("atoll/b: no BENCH line", problems)

    def test_the_repository_budgets_parse(self):
        budgets = boottest.read_budgets(boottest.paths.ROOT / boottest.BUDGETS)
        self.assertIn("atoll/ipc_roundtrip/same_core/cross_task/short", budgets)
