import unittest

from atoll import bootlog

LOG = (
    "\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"UEFI QEMU DVD-ROM\"\r\n"
    "[c0 +0.000100] atoll: booting\r\n"
    "[c0 +0.010000] core 0 online: apic 0, package 0, core 0, thread 0, node 0\r\n"
    "\x1b[0m[c1 +0.020000] core 1 online: apic 2, package 1, core 0, thread 0, node 1\n"
    "[c0 +0.030000] numa: distance 0 0 = 10\n"
    "[c0 +0.030001] numa: distance 0 1 = 21\n"
    "[c0 +0.030002] acpi: SRAT: entry 2 length 40 runs past the table end (96)\n"
    "[c0 +0.030003] topology: SRAT ignored, all cores on node 0\n"
    "[c1 +0.040000] KTEST PASS ring_basic core=1\n"
    "[c0 +0.050000] KTEST FAIL alloc_free core=0 expected 4 got 5\n"
    "[c0 +0.060000] KTEST-SUMMARY passed=1 failed=1\n"
    "[c0 +0.070000] atoll: shutdown status=1\n"
)

# As kernel/panic.cpp writes it: straight to the UART, no [cN +t] prefix.
PANIC_LOG = (
    "[c0 +0.1] too few digits is not a prefix\n"
    "PANIC core 2: page fault at 0xdead\n"
    "  rip ffffffff80001000  rsp ffff800000010000  rflags 0000000000000002\n"
    "backtrace:\n"
    "  #0 ffffffff80001000 kmain+0x10\n"
    "  #1 ffffffff80002000 ?\n"
    "PANIC end core 2\n"
    "[c0 +1.000003] after the panic\n"
)


USER_LOG = (
    "[c0 +0.900000] init: 2 task(s) started\n"
    "[c0 +1.000000] crasher: about to write to address 0x10\n"
    "[c0 +1.100000] task crasher thread main (2) killed: #PF page fault at ip 0x401ee0, address 0x10\n"
    "[c0 +1.200000] task crasher exited with status -1\n"
    "[c0 +1.300000] hello: USER PASS hello/yield\n"
    "[c0 +1.400000] hello: USER FAIL hello/sleep\n"
    "[c0 +1.500000] hello: text that merely says USER PASS x\n"
)


class UserLinesTest(unittest.TestCase):
    def test_user_results_and_task_events(self):
        log = bootlog.parse(USER_LOG)
        self.assertEqual(log.user, [["hello", True, "hello/yield"], ["hello", False, "hello/sleep"]])
        self.assertEqual(len(log.tasks), 2)
        self.assertTrue(log.tasks[0].startswith("task crasher thread main (2) killed: #PF"))
        self.assertEqual(log.tasks[1], "task crasher exited with status -1")

    def test_round_trip_keeps_user_lines(self):
        log = bootlog.parse(USER_LOG)
        again = bootlog.BootLog.from_dict(log.to_dict())
        self.assertEqual(again.user, log.user)
        self.assertEqual(again.tasks, log.tasks)


class ParseTest(unittest.TestCase):
    def setUp(self):
        self.log = bootlog.parse(LOG)

    def test_online_lines_survive_firmware_noise(self):
        self.assertEqual([(o.core, o.apic, o.package, o.core_id, o.thread, o.node)
                          for o in self.log.online],
                         [(0, 0, 0, 0, 0, 0), (1, 2, 1, 0, 0, 1)])
        self.assertEqual(self.log.online[1].line, 4)

    def test_distances(self):
        self.assertEqual(self.log.distances, [[0, 0, 10], [0, 1, 21]])

    def test_ktests(self):
        self.assertEqual(len(self.log.passes("ring_basic")), 1)
        self.assertEqual(self.log.passes("alloc_free"), [])
        fail, = self.log.failures("alloc_free")
        self.assertEqual((fail.core, fail.reason), (0, "expected 4 got 5"))
        self.assertEqual(self.log.ktest_names(), ["alloc_free", "ring_basic"])

    def test_summary_and_shutdown(self):
        self.assertEqual(self.log.summary, [1, 1])
        self.assertEqual(self.log.shutdown_status, 1)
        self.assertEqual(self.log.panics, [])

    def test_acpi_and_topology(self):
        self.assertEqual(len(self.log.acpi), 1)
        self.assertIn("SRAT", self.log.acpi[0])
        self.assertEqual(self.log.topology, ["topology: SRAT ignored, all cores on node 0"])

    def test_json_round_trip(self):
        again = bootlog.BootLog.from_dict(self.log.to_dict())
        self.assertEqual(again, self.log)


class PrefixTest(unittest.TestCase):
    def test_prefix_fields(self):
        line = bootlog.split_line(7, "[c12 +3.141592] hello world\r\n")
        self.assertEqual((line.number, line.core, line.time, line.text),
                         (7, 12, 3.141592, "hello world"))

    def test_unprefixed_line_is_kept(self):
        line = bootlog.split_line(1, "SeaBIOS (version 1.16)")
        self.assertEqual((line.core, line.text), (None, "SeaBIOS (version 1.16)"))

    def test_malformed_online_line_is_ignored(self):
        log = bootlog.parse("core 0 online: apic 0, package 0, core 0, thread 0\n")
        self.assertEqual(log.online, [])


class PanicTest(unittest.TestCase):
    def test_panic_and_block(self):
        log = bootlog.parse(PANIC_LOG)
        panic, = log.panics
        self.assertEqual((panic.core, panic.reason, panic.line), (2, "page fault at 0xdead", 2))
        self.assertEqual(panic.frames, ["#0 ffffffff80001000 kmain+0x10", "#1 ffffffff80002000 ?"])
        self.assertTrue(panic.ended)
        block, = bootlog.panic_blocks(PANIC_LOG, log)
        self.assertTrue(block.startswith("PANIC core 2"))
        self.assertTrue(block.endswith("PANIC end core 2"))
        self.assertIn("kmain+0x10", block)
        self.assertEqual(bootlog.BootLog.from_dict(log.to_dict()), log)

    def test_unfinished_panic(self):
        log = bootlog.parse("[c1 +0.000001] PANIC core 1: oops\n  #0 ffff8000 f+0x1\n")
        self.assertEqual((log.panics[0].frames, log.panics[0].ended), (["#0 ffff8000 f+0x1"], False))

    def test_tail_and_matching(self):
        self.assertEqual(bootlog.tail(PANIC_LOG, 1), "[c0 +1.000003] after the panic")
        self.assertEqual(bootlog.matching(LOG, " ring_basic "),
                         ["9: [c1 +0.040000] KTEST PASS ring_basic core=1"])

    def test_empty_log(self):
        log = bootlog.parse("")
        self.assertEqual((log.online, log.summary, log.shutdown_status), ([], None, None))


if __name__ == "__main__":
    unittest.main()
