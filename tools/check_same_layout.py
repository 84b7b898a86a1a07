#!/usr/bin/env python3
"""Fails if any symbol moved between the first and second kernel link.

Usage: check_same_layout.py NM STAGE1.elf FINAL.elf STAMP
The symbol table is reserved at a fixed size so that embedding it changes
no address; this is the check that the reservation held.
"""
import subprocess
import sys


def table(nm, elf):
    out = subprocess.run([nm, "--defined-only", "-n", elf], check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "ksymtab" not in line]


def main():
    nm, stage1, final, stamp = sys.argv[1:5]
    a, b = table(nm, stage1), table(nm, final)
    if a != b:
        diff = [(x, y) for x, y in zip(a, b) if x != y][:5]
        sys.exit(f"kernel layout changed between links (symbol table reservation too small?): {diff}")
    open(stamp, "w").close()


if __name__ == "__main__":
    main()
