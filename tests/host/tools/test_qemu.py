import unittest
from pathlib import Path

from atoll import configs, qemu


def pairs(cmd):
    return list(zip(cmd, cmd[1:]))


class CommandTest(unittest.TestCase):
    def test_tcg_kernel(self):
        cmd = qemu.command(qemu.Machine(cores=4), qemu.Kernel(Path("k.mb"), "test=all"),
                           serial="mon:stdio")
        self.assertEqual(cmd[:3], ["qemu-system-x86_64", "-machine", "q35"])
        for pair in (("-accel", "tcg"), ("-cpu", "max"), ("-smp", "4"), ("-m", "512M"),
                     ("-display", "none"), ("-serial", "mon:stdio"),
                     ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"),
                     ("-kernel", "k.mb"), ("-append", "test=all")):
            self.assertIn(pair, pairs(cmd))
        self.assertIn("-nodefaults", cmd)
        self.assertIn("-no-reboot", cmd)

    def test_kvm(self):
        cmd = qemu.command(qemu.Machine(accel="kvm"), qemu.Kernel(Path("k"), "probe"))
        self.assertIn(("-accel", "kvm"), pairs(cmd))
        self.assertIn(("-cpu", qemu.KVM_CPU), pairs(cmd))
        self.assertIn(("-serial", "stdio"), pairs(cmd))

    def test_modules_become_one_initrd_argument(self):
        cmd = qemu.command(qemu.Machine(), qemu.Kernel(Path("k"), "init=a,b", (Path("u/a"), Path("u/b"))))
        self.assertIn(("-initrd", "u/a,u/b"), pairs(cmd))
        self.assertNotIn("-initrd", qemu.command(qemu.Machine(), qemu.Kernel(Path("k"))))

    def test_module_path_with_comma_is_refused(self):
        with self.assertRaises(ValueError):
            qemu.command(qemu.Machine(), qemu.Kernel(Path("k"), "", (Path("a,b"),)))

    def test_unknown_accel(self):
        with self.assertRaises(ValueError):
            qemu.command(qemu.Machine(accel="hvf"), qemu.Kernel(Path("k")))

    def test_default_memory(self):
        self.assertEqual(qemu.default_memory(8), "512M")
        self.assertEqual(qemu.default_memory(9), "2G")
        cmd = qemu.command(qemu.Machine(cores=64), qemu.Kernel(Path("k")))
        self.assertIn(("-m", "2G"), pairs(cmd))
        cmd = qemu.command(qemu.Machine(cores=64, memory="3G"), qemu.Kernel(Path("k")))
        self.assertIn(("-m", "3G"), pairs(cmd))

    def test_iso_seabios(self):
        cmd = qemu.command(qemu.Machine(), qemu.Iso(Path("a.iso")))
        self.assertIn(("-cdrom", "a.iso"), pairs(cmd))
        self.assertNotIn("-kernel", cmd)
        self.assertFalse(any("pflash" in a for a in cmd))

    def test_iso_uefi(self):
        cmd = qemu.command(qemu.Machine(), qemu.Iso(Path("a.iso"), Path("/tmp/x/VARS.fd")))
        drives = [b for a, b in pairs(cmd) if a == "-drive"]
        self.assertEqual(drives, [
            "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "if=pflash,format=raw,file=/tmp/x/VARS.fd",
            "if=virtio,format=raw,readonly=on,file=a.iso"])   # the hybrid image as a disk
        self.assertNotIn("-cdrom", cmd)

    def test_numa_config(self):
        numa = configs.get("tcg-numa")
        cmd = qemu.command(numa.machine, qemu.Kernel(Path("k"), numa.cmdline))
        self.assertIn(("-smp", "4,sockets=2,cores=2,threads=1"), pairs(cmd))
        self.assertIn(("-m", "512M"), pairs(cmd))
        self.assertIn(("-numa", "node,nodeid=0,cpus=0-1,memdev=m0"), pairs(cmd))
        self.assertIn(("-numa", "node,nodeid=1,cpus=2-3,memdev=m1"), pairs(cmd))
        self.assertIn(("-object", "memory-backend-ram,id=m1,size=256M"), pairs(cmd))
        self.assertIn(("-numa", "dist,src=0,dst=1,val=21"), pairs(cmd))

    def test_quote(self):
        self.assertEqual(qemu.quote(["a", "b c"]), "a 'b c'")


if __name__ == "__main__":
    unittest.main()
