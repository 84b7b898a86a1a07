"""The topology library and hwloc reading (tools/atoll/topo.py): every
library entry through lstopo/hwloc-annotate, user XML files, the live host."""
import tempfile
import unittest
from pathlib import Path

from atoll import topo


class BitmapTest(unittest.TestCase):
    def test_words_most_significant_first(self):
        self.assertEqual(topo.parse_cpuset("0x0fffffff"), (1 << 28) - 1)
        self.assertEqual(topo.parse_cpuset("0x00ffffff,0xf0000000"), ((1 << 56) - 1) ^ ((1 << 28) - 1))

    def test_empty_word_is_zero(self):
        # hwloc writes "0x0000ffff,0xfff00000,,0x0" for CPUs 84-111
        self.assertEqual(topo.parse_cpuset("0x0000ffff,0xfff00000,,0x0"),
                         sum(1 << i for i in range(84, 112)))

    def test_infinite_prefix_and_empty(self):
        self.assertEqual(topo.parse_cpuset("0xf...f,0x00000003"), 3)
        self.assertEqual(topo.parse_cpuset(""), 0)

    def test_cpu_list(self):
        self.assertEqual(topo.cpu_list([0, 1, 2, 5, 7, 8]), "0-2,5,7-8")
        self.assertEqual(topo.cpu_list([]), "-")


# name: (packages, dies per package, cores per package, threads, nodes, L3 groups, distance 0->last)
EXPECTED = {
    "desktop-1s-8c": (1, 1, 8, 2, 1, 1, 10),
    "xeon-2s-28c": (2, 1, 28, 2, 2, 2, 21),
    "xeon-2s-28c-snc2": (2, 1, 28, 2, 4, 2, 21),
    "xeon-4s-8c": (4, 1, 8, 2, 4, 4, 21),
    "xeon-4s-28c": (4, 1, 28, 2, 4, 4, 21),
    "epyc-2s-64c-nps1": (2, 1, 64, 2, 2, 16, 32),
    "epyc-2s-64c-nps4": (2, 1, 64, 2, 8, 16, 32),
    "epyc-2s-32c-naples": (2, 4, 32, 2, 8, 16, 32),
}


class LibraryTest(unittest.TestCase):
    def test_every_entry_is_known_here(self):
        self.assertEqual(set(topo.library_names()) - {"host"}, set(EXPECTED))

    def test_shapes(self):
        for name, (packages, dies, cores, threads, nodes, l3s, far) in EXPECTED.items():
            with self.subTest(name=name):
                t = topo.load(name)
                self.assertTrue(t.summary and t.source, "summary and source are required")
                self.assertEqual(len(t.packages), packages)
                self.assertEqual(set(t.dies_per_package().values()), {dies})
                self.assertEqual(set(t.cores_per_package().values()), {cores})
                self.assertEqual(set(t.threads_per_core().values()), {threads})
                self.assertEqual(len(t.cpus), packages * cores * threads)
                self.assertEqual(len(t.nodes), nodes)
                self.assertEqual(len(t.l3_groups()), l3s)
                self.assertEqual(t.distances_from, "description")
                self.assertEqual(t.distances[0][-1], far)
                self.assertEqual(t.distances, [list(r) for r in zip(*t.distances)], "symmetric")
                # every CPU in exactly one node, nodes equal in size, CPUs in logical order
                self.assertEqual(sorted(i for n in t.nodes for i in n.cpus), list(range(len(t.cpus))))
                self.assertEqual(len({len(n.cpus) for n in t.nodes}), 1)
                self.assertEqual([c.index for c in t.cpus], list(range(len(t.cpus))))

    def test_snc2_nodes_split_packages(self):
        t = topo.load("xeon-2s-28c-snc2")
        self.assertEqual([topo.cpu_list(n.cpus) for n in t.nodes], ["0-27", "28-55", "56-83", "84-111"])
        self.assertEqual(t.distances[0], [10, 11, 21, 21])

    def test_naples_dies_and_nodes(self):
        t = topo.load("epyc-2s-32c-naples")
        cpu = t.cpus[17]   # package 0, die 1, its first core's second thread
        self.assertEqual((cpu.package, cpu.die, cpu.core_in_die, cpu.thread, cpu.node), (0, 1, 0, 1, 1))
        self.assertEqual(t.distances[0], [10, 16, 16, 16, 32, 32, 32, 32])
        self.assertEqual(topo.cpu_list(t.l3_groups()[1]), "8-15")
        self.assertEqual(t.l3_sizes[0], 8 << 20)

    def test_describe_names_everything(self):
        text = topo.describe(topo.load("xeon-2s-28c"))
        for needle in ("2 package(s)", "28 cores per package", "2 thread(s) per core",
                       "node 1 (P#1): 192 GiB, CPUs 56-111", "l3 0 (38.5 MiB): CPUs 0-55",
                       "     1 21 10"):
            self.assertIn(needle, text)


class FilesTest(unittest.TestCase):
    def test_exported_xml_loads_the_same(self):
        t = topo.load("xeon-2s-28c-snc2")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mybox.xml"
            path.write_text(t.xml)
            again = topo.load(str(path))
        self.assertEqual(again.name, "mybox")
        self.assertEqual(again.cpus, t.cpus)
        self.assertEqual(again.nodes, t.nodes)
        self.assertEqual(again.distances, t.distances)

    def test_xml_without_distances_gets_defaults(self):
        xml = topo.lstopo_xml("pack:2 [numa] core:2 pu:1")
        t = topo.parse_xml(xml, "plain")
        self.assertEqual(t.distances, [[10, 20], [20, 10]])
        self.assertIn("defaults", t.distances_from)
        self.assertEqual([c.l3 for c in t.cpus], [-1] * 4)

    def test_os_numbering_like_linux(self):
        # Linux numbers all first threads, then all second threads: P#4 is core 0's sibling.
        t = topo.parse_xml(topo.lstopo_xml("pack:2 [numa] core:2 pu:2(indexes=0,4,1,5,2,6,3,7)"), "linuxish")
        self.assertEqual([(c.index, c.os_index, c.core, c.thread) for c in t.cpus[:4]],
                         [(0, 0, 0, 0), (1, 4, 0, 1), (2, 1, 1, 0), (3, 5, 1, 1)])
        self.assertEqual([n.cpus for n in t.nodes], [(0, 1, 2, 3), (4, 5, 6, 7)])

    def test_pus_without_cores(self):
        t = topo.parse_xml(topo.lstopo_xml("pack:1 [numa] pu:3"), "bare")
        self.assertEqual([(c.core, c.thread) for c in t.cpus], [(0, 0), (1, 0), (2, 0)])

    def write_ini(self, tmp, text):
        path = Path(tmp) / "box.ini"
        path.write_text(text)
        return str(path)

    def test_ini_errors(self):
        cases = {
            "[topology]\nsummary = s\nsource = s\n": "exactly one of synthetic, xml or live",
            "[topology]\nsummary = s\nsynthetic = pack:1 pu:1\n": "'source' is missing",
            "[topology]\nsummary = s\nsource = s\nsynthetic = pack:1 pu:1\ncolour = red\n": "unknown key",
            "[machine]\n": "no [topology] section",
            "[topology]\nsummary = s\nsource = s\nsynthetic = pack:2 [numa] pu:1\ndistances = 10 21\n":
                "square matrix",
            "[topology]\nsummary = s\nsource = s\nsynthetic = pack:2 [numa] pu:1\ndistances = 10\n":
                "1 rows but the topology has 2 NUMA nodes",
            "[topology]\nsummary = s\nsource = s\nsynthetic = nonsense:9\n": "hwloc could not read",
        }
        with tempfile.TemporaryDirectory() as tmp:
            for text, message in cases.items():
                with self.subTest(message=message):
                    with self.assertRaises(topo.TopologyError) as caught:
                        topo.load(self.write_ini(tmp, text))
                    self.assertIn(message, str(caught.exception))

    def test_unknown_name_lists_the_library(self):
        with self.assertRaises(topo.TopologyError) as caught:
            topo.load("no-such-machine")
        self.assertIn("xeon-2s-28c", caught.exception.detail)

    def test_not_xml(self):
        with self.assertRaises(topo.TopologyError):
            topo.parse_xml("<html/>", "page")


class HostTest(unittest.TestCase):
    def test_host_is_read_live(self):
        t = topo.load("host")
        self.assertGreaterEqual(len(t.cpus), 1)
        self.assertGreaterEqual(len(t.nodes), 1)
        self.assertTrue(t.summary.startswith("this machine"))


class PictureTest(unittest.TestCase):
    def test_png(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = topo.picture(topo.load("desktop-1s-8c"), Path(tmp) / "d.png")
            self.assertEqual(out.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
