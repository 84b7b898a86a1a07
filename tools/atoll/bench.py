"""./atoll bench: Atoll's in-OS figures beside Linux's, measured in one run,
written to one results folder (results.json in Google Benchmark's format,
report.md). ./atoll bench --compare A B compares two results.json files.

Conditions are stated, not hidden: under --accel icount the Atoll figures
are instruction counts (QEMU advances the TSC once per instruction), under
tcg they are emulation artifacts, and only under kvm (or real hardware) are
they times comparable with Linux's."""
import datetime
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from . import bootlog, pairs, paths, qemu, scaling
from .ui import AtollError, info

ATOLL_PROGRAMS = ("ipc_bench", "bench_server")
ICOUNT = ("-icount", "shift=0,sleep=off")
BOOT_TIMEOUT = 300
SCALING_TIMEOUT_QUICK = 120  # the 4-core revoke and span boots take well under a minute when they run

# Atoll figure -> the Linux baseline it stands beside in the report; figures
# not named here follow, in the order measured, without one.
PAIRS = (
    ("atoll/null_syscall", None),
    ("atoll/ipc_roundtrip/same_core/same_task/short", "linux/futex_pingpong/same_core"),
    ("atoll/ipc_roundtrip/same_core/cross_task/short", "linux/pipe_pingpong/same_core"),
    ("atoll/ipc_roundtrip/same_core/same_task/64_words", "linux/unix_socket_roundtrip/same_core"),
    ("atoll/ipc_roundtrip/same_core/cross_task/64_words", "linux/unix_socket_roundtrip/same_core"),
    ("atoll/context_switch/same_core/same_task", "linux/sched_yield_switch/same_core"),
    ("atoll/context_switch/same_core/cross_task", "linux/sched_yield_switch/same_core"),
    ("atoll/notification_pingpong/same_core", "linux/eventfd_pingpong/same_core"),
    ("atoll/urpc_roundtrip/cross_core/c0_c1", "linux/atoll_urpc_pingpong/cross_core"),
)

CONDITIONS = {
    "icount": "Atoll figures are instruction counts per operation (QEMU -icount shift=0: one TSC "
              "tick per instruction), deterministic from run to run; Linux figures are nanoseconds "
              "on this host. The two columns are different units: no ratio is given.",
    "tcg": "Atoll ran under QEMU's TCG emulator: its nanoseconds are emulation artifacts, not "
           "hardware costs. Use --accel icount for deterministic instruction counts, or kvm.",
    "kvm": "Atoll ran under KVM on this host; under nested virtualization every address-space "
           "switch costs thousands of cycles, so same-task and cross-task figures differ sharply.",
}


def atoll_machine(accel):
    if accel == "icount":
        return qemu.Machine(cores=1, extra=ICOUNT)
    return qemu.Machine(accel=accel, cores=1)


def atoll_entries(log, accel):
    """Google Benchmark entries for the BENCH lines of one boot."""
    return atoll_entries_from(log.bench, accel)


def atoll_entries_from(bench_lines, accel):
    entries = []
    for name, iterations, tmin, median, p99, counted in bench_lines:
        entry = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
                 "repetition_index": 0, "threads": 1, "iterations": iterations,
                 "real_time": median, "cpu_time": median, "time_unit": "ns",
                 "ticks_min": tmin, "ticks_median": median, "ticks_p99": p99}
        if accel == "icount":
            entry["instructions"] = median
        else:
            entry["ns"] = median  # ticks are turned into ns by the kernel's TSC rate below
            entry.update(counted)  # RDPMC's instructions and cycles, where the machine has them
        entries.append(entry)
    return entries


# The default system (runtime/root/boot.cfg) on 2 cores: the root task
# reports how long starting each program took, on its core and on the other.
START_MODULES = ("sigma0", "root", "console", "echo_server", "echo_client", "boot.cfg")


def run_program_start(accel, out_dir):
    build = paths.BUILD
    modules = tuple(build / "user" / m for m in START_MODULES)
    extra = ICOUNT if accel == "icount" else ()
    machine = qemu.Machine(accel="tcg" if accel == "icount" else accel, cores=2, extra=extra)
    info(f"booting the default system for program start ({accel})")
    log_path = out_dir / "program-start-serial.log"
    run = qemu.run_captured(qemu.command(machine, qemu.Kernel(paths.kernel_mb(build), "", modules)), log_path,
                            BOOT_TIMEOUT)
    log = bootlog.parse(bootlog.read(log_path))
    if run.outcome().os_status != 0 or not log.bench:
        raise AtollError(f"the program-start boot failed ({run.outcome().description}); see {log_path}")
    entries = atoll_entries(log, accel)
    _ticks_to_ns(entries, accel, log_path)
    return entries


def run_atoll(accel, out_dir, name_filter=None):
    build = paths.BUILD
    modules = tuple(build / "user" / p for p in ATOLL_PROGRAMS)
    for module in modules:
        if not module.is_file():
            raise AtollError(f"{module} missing: build first (cmake --build --preset default)")
    cmd = qemu.command(atoll_machine(accel), qemu.Kernel(paths.kernel_mb(build),
                                                        "init=" + ",".join(ATOLL_PROGRAMS), modules))
    info(f"booting the benchmarks ({accel})")
    run = qemu.run_captured(cmd, out_dir / "atoll-serial.log", BOOT_TIMEOUT)
    log = bootlog.parse(bootlog.read(out_dir / "atoll-serial.log"))
    if run.outcome().os_status != 0 or not log.bench:
        raise AtollError(f"the Atoll benchmark boot failed ({run.outcome().description}); "
                         f"see {out_dir / 'atoll-serial.log'}")
    entries = atoll_entries(log, accel)
    _ticks_to_ns(entries, accel, out_dir / "atoll-serial.log")
    if name_filter:
        entries = [e for e in entries if re.search(name_filter, e["name"])]
    return entries


def _ticks_to_ns(entries, accel, log_path):
    """Outside icount, TSC ticks become ns at the rate the boot reported."""
    if accel == "icount":
        return
    hz = _tsc_hz(log_path)
    for e in entries:
        for key in ("real_time", "cpu_time", "ns"):
            e[key] = e["ticks_median"] * 1e9 / hz


def _tsc_hz(log_path):
    m = re.search(r"bench: TSC (\d+) Hz", Path(log_path).read_text(errors="replace"))
    if not m:
        raise AtollError(f"no 'bench: TSC ... Hz' line in {log_path}")
    return int(m.group(1))


def _linux_runner():
    spec = importlib.util.spec_from_file_location("atoll_linux_run", paths.ROOT / "bench" / "linux" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_linux(out_dir, quick, name_filter=None):
    runner = _linux_runner()
    if name_filter and not any(re.search(name_filter, n) for n in runner.EXPECTED_BENCHMARKS):
        info(f"linux: no baseline matches --filter {name_filter!r}")
        return {}, []
    info("linux: running the baselines (atoll-linux-bench)")
    results = runner.run(paths.BUILD / "bench" / "atoll-linux-bench", out_dir / "linux.json",
                         min_time=0.05 if quick else 0.2, repetitions=1 if quick else 5,
                         benchmark_filter=name_filter)
    return results, runner.summary(results)


def _commit():
    try:
        return subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# Published figures the issue names, beside the Atoll figure closest to
# each. Different machines, units and definitions: a reading aid, not a
# comparison the suite can make exact.
REFERENCES = (
    ("atoll/ipc_roundtrip/same_core/same_task/short", "round trip (call + reply)",
     "L4Re: 543 instructions one way, one address space (Xeon 8352S)"),
    ("atoll/ipc_roundtrip/same_core/cross_task/short", "round trip (call + reply)",
     "L4Re: 1,128 core cycles one way across address spaces; seL4: ~380 cycles one-way Call (Skylake)"),
    ("atoll/urpc_roundtrip/cross_core/c0_c1", "round trip",
     "Barrelfish: 450 cycles per cross-core URPC message (2x2-core AMD)"),
    ("atoll/frame_revoke_unmap/cross_core/holders_", "largest K measured",
     "Barrelfish: 32-core unmap ~17.5k cycles, Linux ~29.5k"),
)


def references(accel, measured):
    unit = "instructions" if accel == "icount" else "ns"
    lines = ["", "Reference points (published; other machines and units):", "",
             f"| Atoll | {unit} | what it is | published |", "|---|---|---|---|"]
    for name, what, published in REFERENCES:
        if name.endswith("_"):  # the largest K present
            found = sorted((e for n, e in measured.items() if n.startswith(name)),
                           key=lambda e: int(e["name"].rsplit("_", 1)[1]))
            entry = found[-1] if found else None
        else:
            entry = measured.get(name)
        if entry:
            lines.append(f"| `{entry['name']}` | {entry[unit]:,.0f} | {what} | {published} |")
    return lines


def counted(atoll):
    """The hardware counters' figures (RDPMC), where the machine gave any."""
    rows = [e for e in atoll if "cycles" in e]
    if not rows:
        return []
    lines = ["", "Hardware counters (RDPMC on the measuring core, kernel and user mode; medians per operation):",
             "", "| Atoll | instructions | cycles |", "|---|---|---|"]
    lines += [f"| `{e['name']}` | {e['instructions']:,.0f} | {e['cycles']:,.0f} |" for e in rows]
    return lines


def report(accel, atoll, linux_rows, context):
    """report.md: Atoll beside Linux, with the conditions that apply."""
    linux = {row["name"]: row for row in linux_rows}
    unit = "instructions" if accel == "icount" else "ns"
    lines = ["# Atoll benchmarks", "",
             f"Commit {context['atoll_commit']}, {context['date']}, accelerator `{accel}`, "
             f"host {context['host_name']} ({context['num_cpus']} CPUs).", "",
             CONDITIONS[accel], "",
             f"| Atoll | {unit} (median) | Linux baseline | ns (median) | ratio |",
             "|---|---|---|---|---|"]
    measured = {e["name"]: e for e in atoll}
    paired = {name for name, _ in PAIRS}
    for name, partner in PAIRS + tuple((name, None) for name in measured if name not in paired):
        if name not in measured:
            continue
        value = measured[name]["instructions" if accel == "icount" else "ns"]
        row = linux.get(partner) if partner else None
        base = row.get("ns_median") if row else None
        ratio = f"{value / base:.2f}" if base and accel == "kvm" else "—"
        lines.append(f"| `{name}` | {value:,.0f} | {f'`{partner}`' if partner else '—'} | "
                     f"{f'{base:,.0f}' if base else '—'} | {ratio} |")
    lines += references(accel, measured)
    lines += counted(atoll)
    lines += ["", "Linux baselines (all):", "", "| benchmark | ns median | ns p99 |", "|---|---|---|"]
    for row in linux_rows:
        if "error" in row:
            lines.append(f"| `{row['name']}` | skipped: {row['error']} | |")
        else:
            lines.append(f"| `{row['name']}` | {row.get('ns_median', 0):,.0f} | {row.get('ns_p99', 0):,.0f} |")
    return "\n".join(lines) + "\n"


def run_pairs(accel, cores, out_dir, machine=None, same_core=None):
    """The core-pair matrix: entries, plus pairs.md (the matrix, and the
    round trip by placement) and (with matplotlib) pairs.png."""
    entries = atoll_entries_from(pairs.run(accel, cores, out_dir, machine), accel)
    _ticks_to_ns(entries, accel, out_dir / "pairs-serial.log")
    key, unit = ("instructions", "instructions (-icount: both vCPUs' together)") if accel == "icount" \
        else ("ns", f"ns ({accel})")
    values = pairs.pair_values(entries, key)
    # The same matrix for URPC (user-level rings, no kernel on the path).
    urpc = atoll_entries_from(pairs.run(accel, cores, out_dir, machine, program="xcore_urpc_all"), accel)
    _ticks_to_ns(urpc, accel, out_dir / "xcore_urpc_all-serial.log")
    urpc_values = pairs.pair_values(urpc, key, pairs.URPC_PAIR)
    machine_cores = pairs.cores_from_log((out_dir / "pairs-serial.log").read_text(errors="replace"))
    note = CONDITIONS[accel] if accel != "kvm" else ""
    (out_dir / "pairs.md").write_text(pairs.table(values, unit) + "\nBy placement (what caller and callee share):\n\n" +
                                      pairs.by_placement(values, machine_cores, same_core) +
                                      "\nURPC round trip (a shared frame per pair of cores, both sides polling):\n\n" +
                                      pairs.table(urpc_values, unit) + (f"\n{note}\n" if note else ""))
    pairs.heat_map(values, unit, out_dir / "pairs.png",
                   f"Atoll cross-core IPC round trip, {cores} cores, {accel}")
    pairs.heat_map(urpc_values, unit, out_dir / "urpc_pairs.png",
                   f"Atoll cross-core URPC round trip, {cores} cores, {accel}")
    return entries + urpc


def run(accel, out_dir, quick=False, name_filter=None, pair_cores=0, pair_machine=None):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atoll = run_atoll(accel, out_dir, name_filter)
    atoll += [e for e in run_program_start(accel, out_dir) if not name_filter or re.search(name_filter, e["name"])]
    if pair_cores:
        same = next((e for e in atoll if e["name"] == "atoll/ipc_roundtrip/same_core/cross_task/short"), None)
        key = "instructions" if accel == "icount" else "ns"
        atoll += run_pairs(accel, pair_cores, out_dir, pair_machine, same[key] if same else None)
        # URPC between cores 0 and 1: the user-level path beside the kernel's.
        urpc = atoll_entries_from(pairs.run(accel, 2, out_dir, program="xcore_urpc"), accel)
        _ticks_to_ns(urpc, accel, out_dir / "xcore_urpc-serial.log")
        atoll += urpc
        # Revoke of a page mapped on K = 1 .. N-1 other cores, and unmap in
        # one address space used on K = 1 .. N cores: unmap.md, unmap.png.
        unmap, missing = [], []
        for program in ("xcore_unmap", "xcore_span"):
            # A boot that does not finish costs its series, not the run: with
            # -icount on several vCPUs QEMU 7.2's round-robin can leave one
            # vCPU unscheduled for good (docs/benchmarks.md).
            try:
                found = atoll_entries_from(pairs.run(accel, pair_cores, out_dir, pair_machine, program=program,
                                                     timeout=SCALING_TIMEOUT_QUICK if quick else pairs.BOOT_TIMEOUT),
                                           accel)
            except AtollError as e:
                info(f"{program}: {e}; its series is left out of unmap.md")
                missing.append(f"{program}: {e}")
                continue
            _ticks_to_ns(found, accel, out_dir / f"{program}-serial.log")
            unmap += found
        note = CONDITIONS[accel] if accel != "kvm" else ""
        if missing:
            note += "\n\nLeft out: " + "; ".join(missing)
        scaling.write(unmap, accel, out_dir, note)
        atoll += unmap
    linux_results, linux_rows = run_linux(out_dir, quick, name_filter)
    context = dict(linux_results.get("context", {}))
    context.update({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                    "host_name": os.uname().nodename, "num_cpus": os.cpu_count(),
                    "atoll_accel": accel, "atoll_commit": _commit(), "conditions": CONDITIONS[accel],
                    "atoll_counters": "RDPMC: instructions and cycles beside the TSC figures"
                    if any("cycles" in e for e in atoll) else
                    "none: the guest CPU offers no performance counters (TCG, or a hypervisor without a PMU)"})
    results = {"context": context, "benchmarks": list(linux_results.get("benchmarks", [])) + atoll}
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out_dir / "report.md").write_text(report(accel, atoll, linux_rows, context))
    info(f"wrote {out_dir / 'results.json'} and {out_dir / 'report.md'}")
    return results


def compare(a, b):
    """Per-benchmark ratio B/A of the headline figure, as a table."""
    def figures(path):
        data = json.loads(Path(path).read_text())
        out = {}
        for e in data.get("benchmarks", []):
            if e.get("run_type") == "aggregate" and e.get("aggregate_name") != "median":
                continue
            value = e.get("instructions", e.get("ns_median", e.get("real_time")))
            if value is not None:
                out.setdefault(e.get("run_name", e["name"]), value)
        return out
    fa, fb = figures(a), figures(b)
    names = [n for n in fa if n in fb]
    if not names:
        raise AtollError(f"{a} and {b} have no benchmark in common")
    width = max(len(n) for n in names)
    lines = [f"{'benchmark':<{width}}  {'A':>12}  {'B':>12}  {'B/A':>6}"]
    for n in names:
        ratio = fb[n] / fa[n] if fa[n] else float("nan")
        lines.append(f"{n:<{width}}  {fa[n]:>12,.1f}  {fb[n]:>12,.1f}  {ratio:>6.2f}")
    return "\n".join(lines)
