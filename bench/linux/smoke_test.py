#!/usr/bin/env python3
"""CTest bench/linux_smoke: runs every Linux baseline very briefly through
run.py and checks the run exits 0 and the JSON names every expected
benchmark, each with its counters. Not a timed test: no thresholds.

usage: smoke_test.py ATOLL_LINUX_BENCH WORK_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as linux_run  # noqa: E402  (bench/linux/run.py)

COUNTERS = ("ns", "ns_min", "ns_median", "ns_p99")


def check(results: dict) -> list[str]:
    problems = []
    entries = {
        entry.get("run_name", entry["name"]): entry
        for entry in results.get("benchmarks", [])
        if entry.get("run_type") != "aggregate"
    }
    for name in linux_run.EXPECTED_BENCHMARKS:
        entry = entries.get(name)
        if entry is None:
            problems.append(f"{name}: missing from the JSON")
            continue
        if entry.get("error_occurred"):
            message = entry.get("error_message", "")
            # Only a one-core machine may skip, and only cross_core.
            if not (name.endswith("/cross_core") and linux_run.ONE_CORE_SKIP in message):
                problems.append(f"{name}: {message}")
            continue
        wanted = COUNTERS + (("msgs_per_s",) if "throughput" in name else ())
        for counter in wanted:
            if counter not in entry:
                problems.append(f"{name}: no counter {counter}")
    unexpected = sorted(set(entries) - set(linux_run.EXPECTED_BENCHMARKS))
    if unexpected:
        problems.append("not in EXPECTED_BENCHMARKS: " + ", ".join(unexpected))
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, work = Path(argv[1]), Path(argv[2])
    try:
        results = linux_run.run(exe, work / "results.json", min_time=0.01, repetitions=1)
    except RuntimeError as error:
        print(f"FAIL: {error}")
        return 1
    print(linux_run.format_table(results))
    print("perf: " + str(results["context"].get("perf_events", results["context"].get("perf_note", ""))))
    problems = check(results)
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        return 1
    print(f"PASS: {len(linux_run.EXPECTED_BENCHMARKS)} benchmarks in {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
