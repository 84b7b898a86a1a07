#!/usr/bin/env python3
"""Write a malformed SRAT for the boot/tcg-badsrat test (QEMU -acpitable).

The header is valid (length = file size, checksum sums to zero) so the
table reaches the kernel; the last entry, a Memory Affinity structure,
declares 40 bytes but only 16 remain before the table ends. Earlier
entries put APIC 1 in proximity domain 1, so a kernel that applied the
entries before noticing the damage would show core 1 on node 1; the test
expects the whole table to be rejected and every core on node 0.

usage: make_bad_srat.py OUTPUT
"""
import struct
import sys

HEADER_LEN = 36
SRAT_FIXED_LEN = HEADER_LEN + 12          # + reserved u32 (=1) + reserved u64
LAPIC_AFFINITY = 0                        # type 0, 16 bytes
MEMORY_AFFINITY = 1                       # type 1, 40 bytes
MEMORY_AFFINITY_LEN = 40
TRUNCATED_LEN = 16                        # what is actually present


def lapic_affinity(apic_id, domain):
    # type, length, domain[7:0], apic id, flags (enabled), sapic eid,
    # domain[31:8], clock domain
    return struct.pack("<BBBBIB3sI", LAPIC_AFFINITY, 16, domain & 0xFF, apic_id, 1, 0,
                       (domain >> 8).to_bytes(3, "little"), 0)


def truncated_memory_affinity(domain):
    # type, length (claims 40), domain, reserved, base low, base high; then the table ends
    entry = struct.pack("<BBIHII", MEMORY_AFFINITY, MEMORY_AFFINITY_LEN, domain, 0, 0, 0)
    assert len(entry) == TRUNCATED_LEN
    return entry


def header(length, checksum=0):
    return struct.pack("<4sIBB6s8sI4sI", b"SRAT", length, 3, checksum, b"ATOLL ",
                       b"BADSRAT ", 1, b"ATOL", 1)


def bad_srat():
    body = (struct.pack("<IQ", 1, 0)
            + lapic_affinity(0, 0) + lapic_affinity(1, 1)
            + truncated_memory_affinity(1))
    length = HEADER_LEN + len(body)
    unsummed = header(length) + body
    checksum = (-sum(unsummed)) & 0xFF
    return header(length, checksum) + body


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1], "wb") as f:
        f.write(bad_srat())


if __name__ == "__main__":
    main(sys.argv)
