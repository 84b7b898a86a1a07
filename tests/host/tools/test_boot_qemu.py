"""Boot tests end to end with a stand-in kernel in real QEMU (TCG):
fixture -> results.json -> checks, for -kernel, ISO (SeaBIOS, OVMF) and the
bad-SRAT configuration, plus panics, hangs, resets and QEMU failures."""
import dataclasses
import importlib.util
import io
import json
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

import dummykernel
from atoll import boottest, configs, qemu

GOOD = dummykernel.lines(
    "core 0 online: apic 0, package 0, core 0, thread 0, node 0",
    "core 1 online: apic 1, package 0, core 1, thread 0, node 0",
    "acpi: SRAT: entry 2 (type 1) length 40 runs past the table end (96); table ignored",
    "KTEST PASS alpha core=0", "KTEST PASS alpha core=1",
    "KTEST-SUMMARY passed=2 failed=0", "atoll: shutdown status=0")
PANIC = (dummykernel.lines("core 0 online: apic 0, package 0, core 0, thread 0, node 0")
         + "PANIC core 0: dummy panic\nbacktrace:\n  #0 0000000000100000 _start+0x0\n")


def quietly(function, *args):
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = function(*args)
    return code, buffer.getvalue()


@unittest.skipUnless(dummykernel.available(), "needs clang, ld.lld and qemu-system-x86_64")
class BootQemuTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.build = Path(self.tmp.name)
        boottest.PANIC_GRACE = 0.5

    def tearDown(self):
        self.tmp.cleanup()

    def kernel(self, text, **kw):
        dummykernel.build(self.build, text, **kw)

    def boot(self, config):
        return quietly(boottest.boot, config, self.build)

    def check(self, config, *what):
        return quietly(boottest.check, config, self.build, *what)

    def results(self, config):
        return json.loads((self.build / "boot-logs" / config.name / "results.json").read_text())

    def assert_clean_boot(self, name, checks=("online", "shutdown")):
        config = configs.get(name)
        code, output = self.boot(config)
        self.assertEqual(code, 0, output)
        for what in checks:
            self.assertEqual(self.check(config, what), (0, f"ok: {name}/{what}\n"))
        return config

    def test_kernel_boot_and_ktests(self):
        self.kernel(GOOD)
        config = self.assert_clean_boot("tcg-smp2")
        self.assertEqual(self.check(config, "ktest", "alpha")[0], 0)
        code, output = self.check(config, "ktest", "beta")
        self.assertEqual(code, 1)
        self.assertIn("no 'KTEST PASS beta' line", output)
        self.assertEqual(self.results(config)["qemu"]["returncode"], 1)

    def test_iso_bios(self):
        self.kernel(GOOD)
        self.assert_clean_boot("iso-bios")

    def test_iso_uefi(self):
        self.kernel(GOOD)
        self.assert_clean_boot("iso-uefi")

    def test_bad_srat(self):
        self.kernel(GOOD)
        script = Path(__file__).resolve().parents[2] / "boot" / "make_bad_srat.py"
        spec = importlib.util.spec_from_file_location("make_bad_srat", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table = self.build / configs.BAD_SRAT
        table.parent.mkdir(parents=True)
        module.main(["make_bad_srat.py", str(table)])
        config = self.assert_clean_boot("tcg-badsrat", ("online", "shutdown", "srat"))
        self.assertIn(f"file={table}", self.results(config)["command"])

    def test_kvm_probe_decides(self):
        self.kernel(GOOD)
        config = configs.get("kvm-smp2")
        code, output = self.boot(config)
        self.assertIn(code, (0, boottest.SKIP), output)
        if code == boottest.SKIP:
            self.assertIn("kvm probe failed", self.results(config)["skipped"])
            self.assertEqual(self.check(config, "online")[0], boottest.SKIP)
        self.assertTrue((self.build / "accel-probe.txt").is_file())

    def test_panic_stops_early(self):
        self.kernel(PANIC, mode="hang")
        config = configs.get("tcg-smp1")
        self.assertEqual(self.boot(config)[0], 0)
        self.assertLess(self.results(config)["qemu"]["seconds"], 60)
        code, output = self.check(config, "shutdown")
        self.assertEqual(code, 1)
        self.assertIn("PANIC on core 0: dummy panic", output)
        self.assertIn("PANIC block:", output)
        self.assertIn("#0 0000000000100000 _start+0x0", output)

    def test_requested_panic(self):
        self.kernel("PANIC core 1: deliberate panic requested by the panic self-test on core 1\n"
                    "backtrace:\n  #0 ffffffff80001000 deliberate_panic_inner(unsigned int)+0x1c\n"
                    "PANIC end core 1\n", status=3)
        config = configs.get("tcg-panic")
        self.assertEqual(self.boot(config)[0], 0)
        self.assertEqual(self.check(config, "panic"), (0, "ok: tcg-panic/panic\n"))

    def test_hang_times_out(self):
        self.kernel(dummykernel.lines("atoll: booting"), mode="hang")
        config = dataclasses.replace(configs.get("tcg-smp1"), timeout=2)
        self.assertEqual(self.boot(config)[0], 0)
        code, output = self.check(config, "shutdown")
        self.assertEqual(code, 1)
        self.assertIn("timed out", output)

    def test_triple_fault(self):
        self.kernel(dummykernel.lines("atoll: booting"), mode="triple-fault")
        config = configs.get("tcg-smp1")
        self.boot(config)
        self.assertIsNone(self.results(config)["outcome"]["os_status"])

    def test_qemu_failure_fails_the_fixture(self):
        (self.build / "kernel").mkdir()
        (self.build / "kernel" / "atoll.mb").write_bytes(b"not a kernel")
        code, output = self.boot(configs.get("tcg-smp1"))
        self.assertEqual(code, 1, output)
        self.assertIn("QEMU failed", output)

    def test_missing_kernel(self):
        self.assertEqual(quietly(boottest.main, ["boot", "--config", "tcg-smp1",
                                                 "--build-dir", str(self.build)])[0], 1)


@unittest.skipUnless(dummykernel.available(), "needs clang, ld.lld and qemu-system-x86_64")
class RunCapturedTest(unittest.TestCase):
    def test_status_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            dummykernel.build(tmp, dummykernel.lines("atoll: shutdown status=1"), status=1)
            cmd = qemu.command(qemu.Machine(), qemu.Kernel(Path(tmp) / "kernel" / "atoll.mb"))
            run = qemu.run_captured(cmd, Path(tmp) / "serial.log", 60)
            self.assertEqual((run.returncode, run.outcome().os_status), (3, 1))
            self.assertIn("status=1", (Path(tmp) / "serial.log").read_text())


if __name__ == "__main__":
    unittest.main()
