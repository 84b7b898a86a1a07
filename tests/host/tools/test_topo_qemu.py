"""Topologies as QEMU options (tools/atoll/topo_qemu.py): QEMU's APIC id rule,
-smp/-numa arguments, and clear refusals of what QEMU cannot emulate here."""
import unittest

from atoll import configs, topo, topo_qemu
from atoll.ui import AtollError


class ApicRuleTest(unittest.TestCase):
    def test_field_widths(self):
        self.assertEqual([topo_qemu.field_width(n) for n in (1, 2, 3, 4, 5, 8, 28, 64)],
                         [0, 1, 2, 2, 3, 3, 5, 6])

    def test_xeon_2s_28c(self):
        # threads 1 bit, cores 5 bits: socket 1 starts at 64
        ids = topo_qemu.Shape(2, 1, 28, 2).apic_ids()
        self.assertEqual(ids[:4], [0, 1, 2, 3])
        self.assertEqual(ids[55], 55)
        self.assertEqual(ids[56], 64)
        self.assertEqual(max(ids), 119)

    def test_dies_between_cores_and_sockets(self):
        shape = topo_qemu.Shape(2, 4, 8, 2)    # Naples: thread 1 bit, core 3, die 2
        ids = shape.apic_ids()
        self.assertEqual(ids[16], 16)          # die 1 core 0 thread 0
        self.assertEqual(ids[64], 64)          # socket 1
        self.assertEqual(shape.position(17), (0, 1, 0, 1))
        self.assertEqual(topo_qemu.apic_id(1, 3, 7, 1, 4, 8, 2), 127)

    def test_non_power_of_two(self):
        shape = topo_qemu.Shape(1, 1, 3, 1)
        self.assertEqual(shape.apic_ids(), [0, 1, 2])
        self.assertEqual(topo_qemu.Shape(3, 1, 3, 1).apic_ids()[3:6], [4, 5, 6])


class PlanTest(unittest.TestCase):
    def test_snc2_arguments(self):
        q = topo_qemu.plan(topo.load("xeon-2s-28c-snc2"))
        self.assertEqual(q.shape.smp(), "cpus=112,sockets=2,dies=1,cores=28,threads=2,maxcpus=112")
        self.assertEqual(q.node_mib, 512)
        args = q.args()
        self.assertIn("node,nodeid=1,cpus=28-55,memdev=atoll-node1", args)
        self.assertIn("memory-backend-ram,id=atoll-node3,size=512M", args)
        self.assertIn("dist,src=0,dst=1,val=11", args)
        self.assertIn("dist,src=3,dst=0,val=21", args)
        self.assertEqual(sum(a.startswith("dist,") for a in args), 12)
        machine = q.machine()
        self.assertEqual((machine.cores, machine.memory), (112, "2048M"))

    def test_memory_is_split_equally_and_capped(self):
        t = topo.load("epyc-2s-32c-naples")
        self.assertEqual(topo_qemu.plan(t, "4G").node_mib, 512)
        self.assertEqual(topo_qemu.plan(t, "1000M").node_mib, 124)   # rounded down to 2 MiB
        with self.assertRaises(topo_qemu.NotEmulatable) as caught:
            topo_qemu.plan(t, "8G")
        self.assertIn("caps QEMU guests at 4096 MiB", str(caught.exception))

    def test_refuses_beyond_xapic(self):
        with self.assertRaises(topo_qemu.NotEmulatable) as caught:
            topo_qemu.plan(topo.load("epyc-2s-64c-nps1"))
        self.assertIn("APIC ids up to 255", str(caught.exception))
        self.assertIn("x2APIC", str(caught.exception))

    def test_refuses_uneven_cores(self):
        t = topo.parse_xml(topo.lstopo_xml("pack:1 [numa] core:3 pu:1"), "uneven")
        topo_qemu.plan(t)   # 3 one-thread cores: fine
        first, rest = t.cpus[0], t.cpus[1:]
        # give core 0 a second thread: threads per core become 2, 1, 1
        t.cpus = [first, topo.Cpu(1, 1, 0, 0, 0, 0, 1, 0, -1, -1)] + \
            [topo.Cpu(c.index + 1, c.os_index + 1, 0, 0, c.core, c.core_in_die, 0, 0, -1, -1) for c in rest]
        with self.assertRaises(topo_qemu.NotEmulatable) as caught:
            topo_qemu.plan(t)
        self.assertIn("core's thread count", str(caught.exception))

    def test_local_distance_must_be_10(self):
        t = topo.parse_xml(topo.lstopo_xml("pack:2 [numa] core:1 pu:1"), "odd")
        t.distances = [[10, 9], [9, 10]]
        with self.assertRaises(topo_qemu.NotEmulatable):
            topo_qemu.plan(t)

    def test_memory_parsing(self):
        self.assertEqual([topo_qemu.parse_mib(m) for m in ("512M", "2G", "1536", "1.5G", "4GiB")],
                         [512, 2048, 1536, 1536, 4096])
        with self.assertRaises(AtollError):
            topo_qemu.parse_mib("lots")

    def test_every_emulatable_library_entry_plans(self):
        for name in topo.library_names():
            with self.subTest(name=name):
                ok, why = topo_qemu.emulatable(topo.load(name))
                self.assertEqual(ok, name not in ("epyc-2s-64c-nps1", "epyc-2s-64c-nps4"), why)


class LazyMachineTest(unittest.TestCase):
    def test_reads_hwloc_only_when_asked(self):
        m = topo_qemu.LazyMachine("xeon-4s-8c")
        self.assertIsNone(m._topo)
        self.assertEqual(m.cores, 64)
        self.assertEqual(m.smp, "cpus=64,sockets=4,dies=1,cores=8,threads=2,maxcpus=64")
        self.assertEqual(m.memory, "2048M")
        self.assertIn("-numa", m.extra)

    def test_boot_configs_use_it(self):
        config = configs.get("topo-xeon-4s-8c")
        self.assertIsInstance(config.machine, topo_qemu.LazyMachine)
        self.assertEqual(config.processors, 2)


if __name__ == "__main__":
    unittest.main()
