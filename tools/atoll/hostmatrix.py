"""The host's own core-to-core latency: a cache-line round trip
(atoll-linux-bench's linux/cacheline_pingpong, both sides pinned with
hwloc) for every ordered pair of PUs, and the placement planner's cost
model made from it (`./atoll place CONFIG --cost host-cost.json`): the
median round trip of the pairs at each level of sharing becomes that
level's talk cost, in ns."""
import datetime
import json
import statistics
import subprocess
from pathlib import Path

from . import paths, topo
from .ui import AtollError, info

BENCHMARK = "linux/cacheline_pingpong/cross_core"
MAX_PUS = 16   # 240 ordered pairs at most: a few minutes


def level(a, b):
    """What two host PUs share, in the planner's names."""
    if a.core == b.core and a.package == b.package:
        return "smt"
    if a.l2 >= 0 and a.l2 == b.l2:
        return "l2"
    if a.l3 >= 0 and a.l3 == b.l3:
        return "l3"
    if a.node == b.node and a.package == b.package:
        return "node"
    return "package" if a.package == b.package else "machine"


def measure_pair(exe, a, b, min_time, runner=subprocess.run):
    """The median round trip in ns between OS PUs a and b, or None when the
    benchmark cannot place the pair (e.g. SMT siblings: not on two cores)."""
    cmd = [str(exe), f"--atoll_pus={a},{b}", f"--benchmark_filter=^{BENCHMARK}$",
           "--benchmark_format=json", f"--benchmark_min_time={min_time}"]
    done = runner(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise AtollError(f"{exe} failed for PUs {a},{b} (exit {done.returncode})", done.stderr)
    for entry in json.loads(done.stdout).get("benchmarks", []):
        if entry.get("name") == BENCHMARK and not entry.get("error_occurred"):
            return float(entry["real_time"])
    return None


def measure(exe=None, min_time=0.05, host=None, runner=subprocess.run):
    """{(os_a, os_b): ns} for every ordered pair of the host's first PUs."""
    exe = Path(exe or paths.BUILD / "bench" / "atoll-linux-bench")
    if not exe.is_file():
        raise AtollError(f"{exe} not found: build it first (cmake --build --preset default)")
    host = host or topo.load("host")
    cpus = host.cpus[:MAX_PUS]
    info(f"linux: core-to-core round trips on {len(cpus)} PUs ({len(cpus) * (len(cpus) - 1)} pairs)")
    out = {}
    for a in cpus:
        for b in cpus:
            if a.index != b.index:
                out[(a.os_index, b.os_index)] = measure_pair(exe, a.os_index, b.os_index, min_time, runner)
    return out


def cost_model(matrix, host):
    """The planner's cost model (docs/placement.md, "Measured costs")."""
    by_os = {c.os_index: c for c in host.cpus}
    groups = {}
    for (a, b), ns in matrix.items():
        if ns is not None and a in by_os and b in by_os:
            groups.setdefault(level(by_os[a], by_os[b]), []).append(ns)
    talk = {name: round(statistics.median(values)) for name, values in groups.items()}
    return {"unit": "ns",
            "source": f"host core-to-core cache-line round trips, {host.name}, "
                      f"{datetime.date.today().isoformat()}",
            "talk": talk}


def write(out_dir, matrix, host):
    """host-matrix.json (every pair) and host-cost.json (for --cost)."""
    out_dir = Path(out_dir)
    pairs = [{"from": a, "to": b, "ns": ns} for (a, b), ns in sorted(matrix.items())]
    (out_dir / "host-matrix.json").write_text(json.dumps({"benchmark": BENCHMARK, "pairs": pairs}, indent=1) + "\n")
    model = cost_model(matrix, host)
    (out_dir / "host-cost.json").write_text(json.dumps(model, indent=1) + "\n")
    return model
