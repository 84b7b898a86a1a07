import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from atoll import iso
from atoll.ui import AtollError


class GrubCfgTest(unittest.TestCase):
    def test_serial_console_and_multiboot2(self):
        cfg = iso.grub_cfg("test=all")
        for line in ("serial --unit=0 --speed=115200", "terminal_input serial console",
                     "terminal_output serial console", "set timeout=0",
                     "    multiboot2 /boot/atoll.elf test=all", "    boot"):
            self.assertIn(line + "\n", cfg)

    def test_empty_cmdline(self):
        self.assertIn("    multiboot2 /boot/atoll.elf\n", iso.grub_cfg(""))

    def test_quoting(self):
        self.assertEqual(iso.grub_quote("test=a,b"), "test=a,b")
        self.assertEqual(iso.grub_quote("x;y"), "'x;y'")
        self.assertEqual(iso.grub_quote("it's"), "'it'\\''s'")

    def test_stage_layout(self):
        with tempfile.TemporaryDirectory() as tmp:
            elf = Path(tmp) / "k.elf"
            elf.write_bytes(b"\x7fELF")
            iso.stage(Path(tmp) / "tree", elf, "probe")
            self.assertEqual((Path(tmp) / "tree/boot/atoll.elf").read_bytes(), b"\x7fELF")
            self.assertIn("atoll.elf probe", (Path(tmp) / "tree/boot/grub/grub.cfg").read_text())

    def test_missing_kernel(self):
        with self.assertRaises(AtollError):
            iso.build("/nonexistent/atoll.elf", "/tmp/never.iso")


@unittest.skipUnless(shutil.which("grub-mkrescue") and shutil.which("xorriso"),
                     "grub-mkrescue/xorriso not installed")
class BuildTest(unittest.TestCase):
    def test_hybrid_iso(self):
        with tempfile.TemporaryDirectory() as tmp:
            elf = Path(tmp) / "k.elf"
            elf.write_bytes(b"\x7fELF not really a kernel")
            out = iso.build(elf, Path(tmp) / "out" / "a.iso", "test=all")
            report = subprocess.run(["xorriso", "-indev", str(out), "-report_el_torito", "plain"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            boot_images = [line for line in report.stdout.splitlines()
                           if line.startswith("El Torito boot img")]
            self.assertTrue(any(" BIOS " in line for line in boot_images), report.stdout)
            self.assertTrue(any(" UEFI " in line for line in boot_images), report.stdout)
            cfg = Path(tmp) / "grub.cfg"
            subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(out),
                            "-extract", "/boot/grub/grub.cfg", str(cfg)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            self.assertIn("multiboot2 /boot/atoll.elf test=all", cfg.read_text())


if __name__ == "__main__":
    unittest.main()
