import signal
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from atoll import accel, qemu
from atoll.ui import AtollError


class Workspace(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.kernel = self.dir / "atoll.mb"
        self.kernel.write_bytes(b"\x7fELF fake kernel")
        self.cache = self.dir / "accel-probe.txt"
        self.device = self.dir / "kvm"
        self.device.write_text("")
        version = mock.patch.object(qemu, "version", return_value="QEMU emulator version 7.2.22")
        quiet = mock.patch.object(accel, "info")
        for patch in (version, quiet):
            patch.start()
            self.addCleanup(patch.stop)

    def tearDown(self):
        self.tmp.cleanup()


class DeviceTest(Workspace):
    def test_missing_device(self):
        self.assertIn("does not exist", accel.device_problem(self.dir / "nope"))

    def test_present_device(self):
        self.assertIsNone(accel.device_problem(self.device))

    def test_missing_device_fails_without_booting(self):
        def boot(_kernel):
            raise AssertionError("must not boot")
        probe = accel.probe_kvm(self.kernel, self.cache, boot, device=self.dir / "nope")
        self.assertFalse(probe.ok)
        self.assertTrue(probe.reason.startswith("kvm probe failed: "))


class BootProbeTest(Workspace):
    def fake_runner(self, returncode, stderr="", timed_out=False):
        def run(cmd, log_path, timeout):
            self.cmd, self.timeout = cmd, timeout
            return qemu.Run(returncode, 0.5, timed_out, False, stderr, timeout)
        return run

    def test_status_0_accepts_kvm(self):
        probe = accel.boot_probe(self.kernel, runner=self.fake_runner(1))
        self.assertTrue(probe.ok)
        self.assertIn(("-accel", "kvm"), list(zip(self.cmd, self.cmd[1:])))
        self.assertIn(("-append", "probe"), list(zip(self.cmd, self.cmd[1:])))
        self.assertIn(("-smp", "1"), list(zip(self.cmd, self.cmd[1:])))
        self.assertEqual(self.timeout, 20)

    def test_abort_is_reported(self):
        stderr = "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
        probe = accel.boot_probe(self.kernel, runner=self.fake_runner(-signal.SIGABRT, stderr))
        self.assertFalse(probe.ok)
        self.assertIn("SIGABRT", probe.reason)
        self.assertIn("failed to set MSR", probe.reason)

    def test_nonzero_status_and_timeout_are_failures(self):
        self.assertFalse(accel.boot_probe(self.kernel, runner=self.fake_runner(3)).ok)
        probe = accel.boot_probe(self.kernel, runner=self.fake_runner(0, timed_out=True))
        self.assertFalse(probe.ok)
        self.assertIn("timed out", probe.reason)


class CacheTest(Workspace):
    def test_probe_is_cached_per_kernel(self):
        calls = []

        def boot(kernel):
            calls.append(kernel)
            return accel.Probe(False, "kvm probe failed: boom")
        first = accel.probe_kvm(self.kernel, self.cache, boot, self.device)
        second = accel.probe_kvm(self.kernel, self.cache, boot, self.device)
        self.assertEqual(len(calls), 1)
        self.assertFalse(first.cached)
        self.assertTrue(second.cached)
        self.assertEqual(second.reason, "kvm probe failed: boom")
        self.kernel.write_bytes(b"\x7fELF another kernel")
        accel.probe_kvm(self.kernel, self.cache, boot, self.device)
        self.assertEqual(len(calls), 2)

    def test_garbage_cache_is_ignored(self):
        self.cache.write_text("nonsense\n")
        self.assertIsNone(accel.read_cache(self.cache, "key"))


class ChooseTest(unittest.TestCase):
    def test_tcg_requested_does_not_probe(self):
        def probe(_kernel):
            raise AssertionError("must not probe")
        self.assertEqual(accel.choose("tcg", "k", probe).accel, "tcg")

    def test_auto_falls_back_and_says_why(self):
        choice = accel.choose("auto", "k", lambda k: accel.Probe(False, "kvm probe failed: x"))
        self.assertEqual(choice.describe(), "accel: tcg (kvm probe failed: x)")

    def test_auto_uses_working_kvm(self):
        choice = accel.choose("auto", "k", lambda k: accel.Probe(True, "probe booted"))
        self.assertEqual(choice.accel, "kvm")

    def test_explicit_kvm_that_fails_is_an_error(self):
        with self.assertRaises(AtollError) as caught:
            accel.choose("kvm", "k", lambda k: accel.Probe(False, "kvm probe failed: x"))
        self.assertIn("--accel kvm", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
