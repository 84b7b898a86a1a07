#!/usr/bin/env python3
"""Check a Promela model exhaustively with spin (CTest model/* tests).

usage: run_spin.py MODEL.pml WORKDIR [--expect-violation] [-DMACRO ...]

Runs `spin -a` in WORKDIR, compiles pan.c with `cc -O2 -DSAFETY`, runs
`./pan -m100000 -q` (-q: channels must be empty in end states) and passes only
if pan reports "errors: 0", no "invalid end state" and a completed search.
Extra -D arguments go to spin (e.g. -DBUG_NO_ACK_WAIT to watch it fail).
With --expect-violation it passes only if pan finds an assertion violation:
a bug injected into the model must be caught, or the model checks nothing.
"""
import os
import re
import shutil
import subprocess
import sys


def run(cmd, cwd):
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    model, workdir, rest = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    expect_violation = "--expect-violation" in rest
    defines = [a for a in rest if a != "--expect-violation"]
    spin = shutil.which("spin")
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not spin or not cc:
        print("run_spin: spin or cc not found", file=sys.stderr)
        return 1
    os.makedirs(workdir, exist_ok=True)
    for stale in ("pan", "pan.c", os.path.basename(model) + ".trail"):
        if os.path.exists(os.path.join(workdir, stale)):
            os.remove(os.path.join(workdir, stale))
    name = os.path.basename(model)
    shutil.copyfile(model, os.path.join(workdir, name))

    rc, out = run([spin, "-a", *defines, name], workdir)
    if rc != 0:
        print(out)
        print("run_spin: FAIL (spin -a)")
        return 1
    rc, out = run([cc, "-O2", "-DSAFETY", "-w", "-o", "pan", "pan.c"], workdir)
    if rc != 0:
        print(out)
        print("run_spin: FAIL (cc)")
        return 1
    rc, out = run(["./pan", "-m100000", "-q"], workdir)
    print(out)
    problems = []
    if "errors: 0" not in out:
        problems.append("pan reported errors")
    # The report header always lists "invalid end states\t+" (checked);
    # a found deadlock prints "pan: invalid end state (at depth N)".
    if re.search(r"invalid end state \(", out):
        problems.append("invalid end state")
    if "assertion violated" in out:
        problems.append("assertion violated")
    if "Search not completed" in out or "max search depth too small" in out:
        problems.append("search incomplete")
    if expect_violation:
        if "assertion violated" in out:
            print("run_spin: PASS (the injected bug violates an invariant, as it must)")
            return 0
        print("run_spin: FAIL (the injected bug went unnoticed: " + (", ".join(problems) or "no error") + ")")
        return 1
    if problems:
        if os.path.exists(os.path.join(workdir, name + ".trail")):
            print(f"trail: cd {workdir} && spin -t -p {' '.join(defines)} {name}")
        print("run_spin: FAIL (" + ", ".join(problems) + ")")
        return 1
    print("run_spin: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
