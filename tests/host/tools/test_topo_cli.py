"""The `topo` and `place` verbs and `run --topology` (parsing and output,
no QEMU): tools/atoll/topo_cli.py, place.py and the additions to cli.py."""
import contextlib
import io
import tempfile
import unittest
from pathlib import Path

from atoll import cli, topo_cli


def parse(*argv):
    return cli.parser().parse_known_args(list(argv))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--no-setup", *argv])
    return code, out.getvalue(), err.getvalue()


class ParserTest(unittest.TestCase):
    def test_topo_verbs(self):
        args, _ = parse("topo", "show", "xeon-2s-28c")
        self.assertEqual((args.func, args.name, args.topology), (topo_cli.cmd_show, "xeon-2s-28c", None))
        args, _ = parse("topo", "qemu", "--topology", "mybox.xml", "--memory", "1G")
        self.assertEqual((args.name, args.topology, args.memory), (None, "mybox.xml", "1G"))
        args, _ = parse("topo", "boottime", "--from-logs")
        self.assertTrue(args.from_logs)

    def test_place_and_run(self):
        args, _ = parse("place", "boot.cfg", "--topology", "host", "--cost", "m.json", "--no-picture")
        self.assertEqual((args.config, args.topology, args.cost, args.no_picture),
                         ("boot.cfg", "host", "m.json", True))
        args, _ = parse("run", "--topology", "xeon-4s-8c")
        self.assertEqual((args.topology, args.cores), ("xeon-4s-8c", 2))


class OutputTest(unittest.TestCase):
    def test_list(self):
        code, out, _ = run("topo", "list")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"xeon-2s-28c\s+112 CPUs  2x Intel Xeon Platinum 8280")
        self.assertIn("host", out)

    def test_show_without_picture(self):
        code, out, _ = run("topo", "show", "epyc-2s-64c-nps4", "--no-picture")
        self.assertEqual(code, 0)
        self.assertIn("NUMA nodes: 8", out)
        self.assertIn("QEMU: cannot emulate it here", out)
        self.assertIn("tests: not booted by the tests: 256 CPUs", out)

    def test_qemu(self):
        code, out, err = run("topo", "qemu", "xeon-4s-8c")
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith("-smp cpus=64,sockets=4,dies=1,cores=8,threads=2,maxcpus=64 \\\n-m 2048M"))
        self.assertIn("-numa dist,src=3,dst=2,val=21", out)
        self.assertIn("APIC ids 0-63", err)

    def test_qemu_refusal(self):
        code, out, err = run("topo", "qemu", "epyc-2s-64c-nps1")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("x2APIC", err)

    def test_name_and_file_together(self):
        code, _, err = run("topo", "show", "host", "--topology", "x.xml")
        self.assertEqual(code, 1)
        self.assertIn("not both", err)


class BoottimeTest(unittest.TestCase):
    def test_rows_from_logs(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name, n, ms in (("tcg-smp8", 8, "190.765"), ("topo-x", 64, "5830.732"), ("tcg-panic", 2, None)):
                log = Path(tmp) / "boot-logs" / name / "serial.log"
                log.parent.mkdir(parents=True)
                text = "[c0 +0.000001] Atoll\n"
                if ms:
                    text += f"[c0 +0.245297] boot: {n} of {n} cores online; starting the others took {ms} ms\n"
                log.write_text(text)
                (log.parent / "command.txt").write_text(f"qemu-system-x86_64 -smp {n} -m 512M -kernel k\n")
            rows = topo_cli.boottime_rows(tmp)
        self.assertEqual(sorted(rows), [("tcg-smp8", 8, 190.765, "512M"), ("topo-x", 64, 5830.732, "512M")])
        table = topo_cli.boottime_table(rows)
        self.assertIn("tcg-smp8                         8    512M           190.8 ms   27.3 ms", table)


if __name__ == "__main__":
    unittest.main()
