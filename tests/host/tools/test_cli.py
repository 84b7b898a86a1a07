import contextlib
import io
import unittest

from atoll import cli


def parse(*argv):
    return cli.parser().parse_known_args(list(argv))


class ParserTest(unittest.TestCase):
    def test_run_defaults(self):
        args, extra = parse("run")
        self.assertEqual((args.cores, args.accel, args.memory, args.cmdline, args.iso, args.uefi),
                         (2, "auto", None, "", False, False))
        self.assertEqual(extra, [])

    def test_run_options(self):
        args, _ = parse("run", "--cores", "8", "--accel", "tcg", "--memory", "1G",
                        "--cmdline", "test=all", "--uefi")
        self.assertEqual((args.cores, args.accel, args.memory, args.cmdline, args.uefi),
                         (8, "tcg", "1G", "test=all", True))

    def test_test_passes_ctest_arguments_through(self):
        args, extra = parse("test", "-R", "boot/tcg-smp2", "-j4")
        self.assertEqual(args.func, cli.cmd_test)
        self.assertEqual(extra, ["-R", "boot/tcg-smp2", "-j4"])

    def test_image(self):
        args, _ = parse("image", "--cmdline", "test=all", "--out", "/tmp/a.iso")
        self.assertEqual((args.cmdline, str(args.out)), ("test=all", "/tmp/a.iso"))

    def rejects(self, *argv):
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as caught:
            cli.main(list(argv))
        self.assertEqual(caught.exception.code, 2)

    def test_bad_arguments(self):
        self.rejects("run", "--bogus")
        self.rejects("run", "--cores", "0")
        self.rejects("run", "--accel", "hvf")
        self.rejects("frobnicate")
        self.rejects()


if __name__ == "__main__":
    unittest.main()
