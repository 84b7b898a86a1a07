"""The topology boot tests in configs.py: every library entry is booted or
says why not, and what is booted fits QEMU under TCG and the time budget."""
import unittest

from atoll import configs, topo, topo_qemu

MAX_BOOT_CPUS = 128          # a 128-CPU boot takes ~14 s alone under TCG
BUDGET_CPUS = 5 * 128        # all topology boots together (~1 min alone, < 5 min under load)


class TopologyConfigsTest(unittest.TestCase):
    def test_every_library_entry_is_booted_or_explained(self):
        booted = {name for name, _ in configs.TOPOLOGY_BOOTS}
        explained = set(configs.TOPOLOGY_NOT_BOOTED)
        self.assertEqual(booted & explained, set())
        self.assertEqual(booted | explained, set(topo.library_names()))

    def test_booted_ones_are_emulatable_and_small_enough(self):
        total = 0
        for name, timeout in configs.TOPOLOGY_BOOTS:
            with self.subTest(name=name):
                q = topo_qemu.plan(topo.load(name))
                self.assertLessEqual(q.shape.cpus, MAX_BOOT_CPUS)
                self.assertLessEqual(timeout, 240)
                total += q.shape.cpus
        self.assertLessEqual(total, BUDGET_CPUS)

    def test_unemulatable_ones_say_so(self):
        for name, reason in configs.TOPOLOGY_NOT_BOOTED.items():
            if name == "host":
                continue
            ok, why = topo_qemu.emulatable(topo.load(name))
            if not ok:
                self.assertIn("x2APIC", reason, name)
                self.assertIn("x2APIC", why, name)

    def test_configs(self):
        for name, _ in configs.TOPOLOGY_BOOTS:
            config = configs.get(f"topo-{name}")
            self.assertEqual(config.topology, name)
            self.assertEqual(config.checks, ("online", "shutdown", "topology"))
            self.assertEqual(config.cmdline, "")
            self.assertFalse(config.ktests)
            self.assertEqual(configs.manifest_line(config).split()[3:],
                             ["0", "online", "shutdown", "topology"])


if __name__ == "__main__":
    unittest.main()
