#!/usr/bin/env python3
"""Writes the kernel's embedded symbol table (see kernel/debug/ksymtab.hpp).

Usage: gen_ksymtab.py NM KERNEL.elf OUT.bin
Reads function symbols with llvm-nm (demangled, with sizes) and packs them
sorted by address: header, entries, NUL-terminated names.
"""
import struct
import subprocess
import sys

MAGIC = 0x4D59534B  # "KSYM"


def read_symbols(nm, elf):
    out = subprocess.run([nm, "--defined-only", "--print-size", "--demangle", "-n", elf],
                         check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4:
            addr, size, kind, name = parts
        elif len(parts) == 3:
            (addr, kind, name), size = parts, "0"
        else:
            continue
        if kind not in "tT":
            continue
        address = int(addr, 16)
        # Keep the first name per address (nm -n is sorted; aliases repeat).
        symbols.setdefault(address, (int(size, 16), name))
    return sorted(symbols.items())


def pack(symbols):
    header_size, entry_size = 16, 16
    strings = bytearray()
    entries = bytearray()
    for address, (size, name) in symbols:
        entries += struct.pack("<QII", address, min(size, 0xFFFFFFFF), len(strings))
        strings += name.encode()[:200] + b"\0"
    strings_offset = header_size + len(entries)
    return struct.pack("<IIII", MAGIC, len(symbols), strings_offset, 0) + entries + strings


def main():
    nm, elf, out = sys.argv[1:4]
    blob = pack(read_symbols(nm, elf))
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
