import signal
import unittest

from atoll import exitstatus
from atoll.exitstatus import translate


class TranslateTest(unittest.TestCase):
    def test_odd_codes_carry_the_os_status(self):
        self.assertEqual(translate(1).os_status, 0)
        self.assertEqual(translate(3).os_status, 1)
        self.assertEqual(translate(255).os_status, 127)
        self.assertEqual(translate(3).exit_code(), 1)
        self.assertEqual(translate(3).description, "the OS shut down with status 1 (tests failed)")
        self.assertEqual(translate(7).description, "the OS shut down with status 3 (kernel panic)")
        self.assertEqual(translate(11).description, "the OS shut down with status 5")

    def test_zero_means_no_shutdown(self):
        outcome = translate(0)
        self.assertIsNone(outcome.os_status)
        self.assertFalse(outcome.shut_down)
        self.assertIn("did not shut down", outcome.description)
        self.assertEqual(outcome.exit_code(), exitstatus.NO_SHUTDOWN)

    def test_even_code_is_not_the_os(self):
        self.assertIsNone(translate(2).os_status)

    def test_signal(self):
        outcome = translate(-signal.SIGABRT,
                            stderr="qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n")
        self.assertIsNone(outcome.os_status)
        self.assertIn("SIGABRT", outcome.description)
        self.assertIn("failed to set MSR", outcome.description)

    def test_timeout(self):
        outcome = translate(0, timed_out=True, timeout=20)
        self.assertIsNone(outcome.os_status)
        self.assertIn("within 20 s", outcome.description)

    def test_panic_stop(self):
        self.assertIn("PANIC", translate(-15, panicked=True).description)

    def test_qemu_startup_error_is_not_status_0(self):
        outcome = translate(1, stderr="qemu-system-x86_64: -kernel x: No such file\n")
        self.assertIsNone(outcome.os_status)
        self.assertEqual(outcome.description, "QEMU failed: -kernel x: No such file")

    def test_qemu_loader_error(self):
        outcome = translate(1, stderr="qemu: invalid kernel header\n")
        self.assertEqual(outcome.description, "QEMU failed: invalid kernel header")

    def test_qemu_warning_does_not_hide_status_0(self):
        stderr = "qemu-system-x86_64: warning: host doesn't support requested feature\n"
        self.assertEqual(translate(1, stderr=stderr).os_status, 0)


if __name__ == "__main__":
    unittest.main()
