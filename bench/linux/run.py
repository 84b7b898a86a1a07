#!/usr/bin/env python3
"""Runs Atoll's Linux baselines (atoll-linux-bench) and keeps the results.

The executable writes Google Benchmark JSON; where `perf stat` can count
software events here, the whole run is wrapped in it and the totals
(context switches, CPU migrations, task clock, and cycles/instructions when
the hardware counters exist) are added to the JSON's "context". The result
is written as results.json, still in Google Benchmark's format (so
compare.py from libbenchmark-tools reads it), and a short table is printed.

Importable (standard library only) so `./atoll bench` can call run() and
format_table(); as a script:

    python3 bench/linux/run.py [--min-time S] [--repetitions N]
                               [--filter REGEX] [--out PATH] [--no-perf]
                               [-- extra atoll-linux-bench flags]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_EXE = REPO / "build" / "bench" / "atoll-linux-bench"
DEFAULT_OUT = REPO / "build" / "bench" / "linux" / "results.json"

# Every benchmark the executable registers; the smoke test checks them all.
EXPECTED_BENCHMARKS = (
    "linux/futex_pingpong/same_core",
    "linux/futex_pingpong/cross_core",
    "linux/pipe_pingpong/same_core",
    "linux/pipe_pingpong/cross_core",
    "linux/eventfd_pingpong/same_core",
    "linux/eventfd_pingpong/cross_core",
    "linux/unix_socket_roundtrip/same_core",
    "linux/unix_socket_roundtrip/cross_core",
    "linux/sched_yield_switch/same_core",
    "linux/cacheline_pingpong/cross_core",
    "linux/atoll_channel_pingpong/cross_core",
    "linux/atoll_channel_throughput/cross_core",
    "linux/atoll_urpc_pingpong/cross_core",
)

# How a cross_core benchmark says the machine has a single core.
ONE_CORE_SKIP = "cross_core needs two cores"

SOFTWARE_EVENTS = ("context-switches", "cpu-migrations", "task-clock")
HARDWARE_EVENTS = ("cycles", "instructions")


def _perf_counts(perf: str, events: tuple[str, ...]) -> tuple[bool, str]:
    """Whether `perf stat -e EVENTS true` succeeds and counts every event."""
    try:
        proc = subprocess.run(
            [perf, "stat", "-x,", "-e", ",".join(events), "true"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return False, lines[-1] if lines else f"exit status {proc.returncode}"
    # perf exits 0 even for events it cannot count; it prints them as
    # "<not supported>" (or "<not counted>") instead of a number.
    for line in proc.stderr.splitlines():
        if "<not supported>" in line or "<not counted>" in line:
            return False, "not supported here"
    return True, ""


def perf_events(perf: str = "perf") -> tuple[list[str], str]:
    """The events to wrap a run in, and a note on what was left out and why."""
    if shutil.which(perf) is None:
        return [], f"perf stat unavailable: '{perf}' not found (Debian package linux-perf)"
    works, why = _perf_counts(perf, ("context-switches", "task-clock"))
    if not works:
        return [], f"perf stat unavailable: {why}"
    events = list(SOFTWARE_EVENTS)
    works, why = _perf_counts(perf, ("instructions",))
    if works:
        events += HARDWARE_EVENTS
        return events, ""
    return events, f"cycles,instructions left out: {why}"


def parse_perf_csv(text: str) -> dict[str, float]:
    """Totals from `perf stat -x,` output, keyed perf_<event>[_<unit>]."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(",")
        if len(fields) < 3:
            continue
        value, unit, event = fields[0], fields[1], fields[2]
        try:
            number = float(value)
        except ValueError:
            continue  # <not counted>, <not supported>
        key = "perf_" + event.split(":")[0].replace("-", "_")
        if unit:
            key += "_" + unit
        totals[key] = int(number) if number.is_integer() else number
    return totals


def run(
    exe: Path | str = DEFAULT_EXE,
    out: Path | str = DEFAULT_OUT,
    *,
    min_time: float | None = None,
    repetitions: int | None = None,
    benchmark_filter: str | None = None,
    extra_args: list[str] | tuple[str, ...] = (),
    use_perf: bool = True,
    perf: str = "perf",
) -> dict:
    """Runs the benchmarks, writes `out` (Google Benchmark JSON plus perf
    totals in "context") and returns the parsed results. Raises
    RuntimeError if the executable is missing or fails."""
    exe = Path(exe)
    out = Path(out)
    if not exe.is_file():
        raise RuntimeError(f"{exe} not found: build it first (cmake --build build --target atoll-linux-bench)")
    out.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="atoll-linux-bench-") as scratch:
        raw = Path(scratch) / "benchmark.json"
        perf_out = Path(scratch) / "perf.csv"
        command = [
            str(exe),
            "--benchmark_format=json",
            f"--benchmark_out={raw}",
            "--benchmark_out_format=json",
        ]
        if min_time is not None:
            command.append(f"--benchmark_min_time={min_time}")
        if repetitions is not None:
            command.append(f"--benchmark_repetitions={repetitions}")
        if benchmark_filter:
            command.append(f"--benchmark_filter={benchmark_filter}")
        command += list(extra_args)

        events, perf_note = perf_events(perf) if use_perf else ([], "perf stat not used (--no-perf)")
        if events:
            command = [perf, "stat", "-x,", "-o", str(perf_out), "-e", ",".join(events), "--"] + command

        # JSON also goes to stdout (--benchmark_format=json); the file is
        # what we read, so stdout is only kept for an error report.
        proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited with status {proc.returncode}")
        with open(raw, encoding="utf-8") as file:
            results = json.load(file)

        context = results.setdefault("context", {})
        if events:
            totals = parse_perf_csv(perf_out.read_text(encoding="utf-8")) if perf_out.exists() else {}
            context.update(totals)
            context["perf_events"] = ",".join(events)
            context["perf_scope"] = "totals over the whole run: every benchmark, warm-up and partner process"
        if perf_note:
            context["perf_note"] = perf_note

    with open(out, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)
        file.write("\n")
    return results


def summary(results: dict) -> list[dict]:
    """One row per benchmark, in run order: name, ns_median, ns_p99 (the
    median over repetitions of each), msgs_per_s if reported, or the error
    that skipped it."""
    rows: dict[str, dict] = {}
    runs: dict[str, list[dict]] = {}
    medians: dict[str, dict] = {}
    for entry in results.get("benchmarks", []):
        name = entry.get("run_name", entry["name"])
        row = rows.setdefault(name, {"name": name})
        if entry.get("error_occurred"):
            row["error"] = entry.get("error_message", "error")
        elif entry.get("run_type") == "aggregate":
            if entry.get("aggregate_name") == "median":
                medians[name] = entry
        else:
            runs.setdefault(name, []).append(entry)
    for name, row in rows.items():
        if "error" in row:
            continue
        entries = runs.get(name) or ([medians[name]] if name in medians else [])
        for counter in ("ns_median", "ns_p99", "msgs_per_s"):
            values = [entry[counter] for entry in entries if counter in entry]
            if values:
                row[counter] = statistics.median(values)
    return list(rows.values())


def format_table(results: dict) -> str:
    rows = summary(results)
    width = max([len("benchmark")] + [len(row["name"]) for row in rows])
    lines = [f"{'benchmark':<{width}}  {'ns median':>12}  {'ns p99':>12}"]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['name']:<{width}}  skipped: {row['error']}")
            continue
        line = f"{row['name']:<{width}}  {row.get('ns_median', float('nan')):>12.1f}  {row.get('ns_p99', float('nan')):>12.1f}"
        if "msgs_per_s" in row:
            line += f"  ({row['msgs_per_s'] / 1e6:.1f} M msgs/s)"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Atoll's Linux baselines (atoll-linux-bench).")
    parser.add_argument("--exe", default=str(DEFAULT_EXE), help="the executable (default: %(default)s)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="results JSON (default: %(default)s)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per run (default: %(default)s)")
    parser.add_argument("--repetitions", type=int, default=5, help="runs per benchmark (default: %(default)s)")
    parser.add_argument("--filter", dest="benchmark_filter", help="regex of benchmark names to run")
    parser.add_argument("--no-perf", action="store_true", help="do not wrap the run in perf stat")
    parser.add_argument("extra", nargs="*", help="more flags for atoll-linux-bench (after --)")
    args = parser.parse_args(argv)
    try:
        results = run(
            args.exe,
            args.out,
            min_time=args.min_time,
            repetitions=args.repetitions,
            benchmark_filter=args.benchmark_filter,
            extra_args=args.extra,
            use_perf=not args.no_perf,
        )
    except RuntimeError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 1
    print(format_table(results))
    context = results.get("context", {})
    perf_keys = [key for key in context if key.startswith("perf_") and key not in ("perf_events", "perf_scope")]
    if perf_keys:
        print("perf: " + ", ".join(f"{key[5:]}={context[key]}" for key in perf_keys))
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
