import io
import unittest

from atoll import ctestrun

OUTPUT = """Internal ctest changing into directory: /work/main/build
Test project /work/main/build
      Start  1: boot/tcg-smp1
 1/5 Test  #1: boot/tcg-smp1 ....................   Passed   12.50 sec
      Start  2: boot/tcg-smp1/online
 2/5 Test  #2: boot/tcg-smp1/online .............***Failed    0.16 sec
FAIL: tcg-smp1/online
  - unexpected 'core 1 online' (only cores 0..0 exist)
      Start  3: boot/tcg-smp1/shutdown
 3/5 Test  #3: boot/tcg-smp1/shutdown ...........   Passed    0.10 sec
 4/5 Test  #4: boot/kvm-smp2 ....................***Skipped   0.27 sec
 5/5 Test  #5: host/tools/bootlog ...............***Timeout 120.01 sec

80% tests passed, 1 tests failed out of 5

The following tests FAILED:
\t  2 - boot/tcg-smp1/online (Failed)
Errors while running CTest
"""


class FilterTest(unittest.TestCase):
    def filtered(self, text):
        out = io.StringIO()
        filt = ctestrun.Filter(out)
        for line in text.splitlines(keepends=True):
            filt.feed(line)
        return out.getvalue()

    def test_failures_slow_tests_and_summary_only(self):
        shown = self.filtered(OUTPUT)
        self.assertNotIn("Test project", shown)
        self.assertNotIn("Internal ctest", shown)
        self.assertNotIn("Start", shown)
        self.assertNotIn("boot/tcg-smp1/shutdown", shown)          # fast pass
        self.assertIn("Test  #1: boot/tcg-smp1 ...   Passed", shown)  # slow pass, short dots
        self.assertIn("boot/tcg-smp1/online ...***Failed", shown)
        self.assertIn("  - unexpected 'core 1 online'", shown)     # failure output
        self.assertNotIn("***Skipped", shown)                       # listed in the summary
        self.assertIn("***Timeout", shown)
        self.assertIn("80% tests passed, 1 tests failed out of 5", shown)
        self.assertIn("boot/tcg-smp1/online (Failed)", shown)

    def test_ctest_messages_are_shown(self):
        self.assertIn("No tests were found!!!",
                      self.filtered("Test project /b\nNo tests were found!!!\n"))

    def test_status_regex(self):
        match = ctestrun.STATUS.match(" 2/5 Test  #2: a/b .....***Exception: SegFault  0.16 sec\n")
        self.assertEqual(match.group(3), "a/b")
        self.assertTrue(match.group(4).startswith("***Exception"))

    def test_command(self):
        self.assertEqual(ctestrun.command("build", ["-R", "boot/"]),
                         ["ctest", "--test-dir", "build", "--output-on-failure", "-j2",
                          "-R", "boot/"])


if __name__ == "__main__":
    unittest.main()
