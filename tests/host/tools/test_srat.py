import importlib.util
import struct
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "boot" / "make_bad_srat.py"
spec = importlib.util.spec_from_file_location("make_bad_srat", SCRIPT)
make_bad_srat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_bad_srat)


def entries(table):
    """(offset, type, declared length) of each entry after the fixed part."""
    offset, found = make_bad_srat.SRAT_FIXED_LEN, []
    while offset + 2 <= len(table):
        kind, length = table[offset], table[offset + 1]
        found.append((offset, kind, length))
        if length == 0:
            break
        offset += length
    return found


class BadSratTest(unittest.TestCase):
    def setUp(self):
        self.table = make_bad_srat.bad_srat()

    def test_header_is_valid(self):
        signature, length, revision = struct.unpack_from("<4sIB", self.table)
        self.assertEqual(signature, b"SRAT")
        self.assertEqual(length, len(self.table))
        self.assertEqual(revision, 3)
        self.assertEqual(sum(self.table) & 0xFF, 0)

    def test_last_entry_runs_past_the_end(self):
        *complete, (offset, kind, length) = entries(self.table)
        self.assertEqual([(k, n) for _, k, n in complete], [(0, 16), (0, 16)])
        self.assertEqual((kind, length), (1, 40))
        self.assertGreater(offset + length, len(self.table))

    def test_apic_1_claims_domain_1(self):
        # So a kernel that half-applies the table shows core 1 on node 1.
        _, (offset, _, _), _ = entries(self.table)
        self.assertEqual((self.table[offset + 2], self.table[offset + 3]), (1, 1))


if __name__ == "__main__":
    unittest.main()
