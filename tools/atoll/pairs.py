"""The core-pair latency matrix: Atoll's xcore_pairs on every core of an
N-core machine, each calling every other core's endpoint, one BENCH line per
ordered pair (atoll/ipc_roundtrip/cross_core/cI_cJ/short). Drawn as a text
table and, with matplotlib (Debian python3-matplotlib), a PNG heat map."""
import re
from pathlib import Path

from . import bootlog, figures, paths, qemu, topo_check
from .ui import AtollError, info

PAIR = re.compile(r"^atoll/ipc_roundtrip/cross_core/c(\d+)_c(\d+)/short$")
URPC_PAIR = re.compile(r"^atoll/urpc_roundtrip/cross_core/c(\d+)_c(\d+)/polling$")
BOOT_TIMEOUT = 300


def command(accel, cores, build=None, machine=None, program="xcore_pairs"):
    """The boot; `machine` (a topology's) replaces the plain -smp N one."""
    build = Path(build or paths.BUILD)
    module = build / "user" / program
    if not module.is_file():
        raise AtollError(f"{module} missing: build first (cmake --build --preset default)")
    cmdline = "init=" + ",".join([program] + [f"{program}@{c}" for c in range(1, cores)])
    if machine is None:  # -icount is TCG counting instructions
        machine = qemu.Machine(accel="tcg", cores=cores, memory="1G", extra=("-icount", "shift=0,sleep=off")) \
            if accel == "icount" else qemu.Machine(accel=accel, cores=cores, memory="1G")
    return qemu.command(machine, qemu.Kernel(paths.kernel_mb(build), cmdline, (module,)))


def run(accel, cores, out_dir, machine=None, program="xcore_pairs", timeout=BOOT_TIMEOUT):
    """Boots `program` on every core and returns the serial log's BENCH
    entries (xcore_pairs: the matrix; xcore_urpc on 2 cores: URPC)."""
    if cores < 2:
        raise AtollError("the core-pair matrix needs at least 2 cores")
    info(f"booting {program} on {cores} cores ({accel})")
    log_path = Path(out_dir) / ("pairs-serial.log" if program == "xcore_pairs" else f"{program}-serial.log")
    result = qemu.run_captured(command(accel, cores, machine=machine, program=program), log_path, timeout)
    log = bootlog.parse(bootlog.read(log_path))
    if result.outcome().os_status != 0 or not log.bench:
        raise AtollError(f"the core-pair boot failed ({result.outcome().description}); see {log_path}")
    return log.bench


def matrix(values):
    """{(i, j): value} -> (cores, rows) with None on the diagonal."""
    cores = 1 + max(max(i, j) for i, j in values)
    return cores, [[values.get((i, j)) for j in range(cores)] for i in range(cores)]


def pair_values(entries, key, pattern=PAIR):
    out = {}
    for e in entries:
        m = pattern.match(e["name"])
        if m:
            out[(int(m.group(1)), int(m.group(2)))] = e[key]
    return out


def table(values, unit):
    """Markdown: callers down, callees across."""
    cores, rows = matrix(values)
    lines = ["| caller \\ callee | " + " | ".join(f"core {j}" for j in range(cores)) + " |",
             "|---|" + "---:|" * cores]
    for i, row in enumerate(rows):
        cells = ["-" if v is None else f"{v:,.0f}" for v in row]
        lines.append(f"| core {i} | " + " | ".join(cells) + " |")
    return f"Round trip, {unit} (median):\n\n" + "\n".join(lines) + "\n"


def heat_map(values, unit, path, title):
    """Writes a PNG; returns False (and says why) without matplotlib."""
    plt = figures.pyplot("heat map")
    if plt is None:
        return False
    from matplotlib.colors import LogNorm
    cores, rows = matrix(values)
    grid = [[float("nan") if v is None else v for v in row] for row in rows]
    present = [v for v in values.values() if v and v > 0]
    # Emulated cores spread over orders of magnitude: a log scale keeps
    # the ordinary pairs apart from the outliers.
    norm = LogNorm() if present and max(present) > 20 * min(present) else None
    size = 2.5 + 0.55 * cores
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(grid, cmap="viridis", norm=norm)
    if cores <= 16:
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=6, color="white")
    ax.set_xticks(range(cores))
    ax.set_yticks(range(cores))
    ax.set_xlabel("callee core")
    ax.set_ylabel("caller core")
    ax.set_title(title, fontsize=8, wrap=True)
    fig.colorbar(image, ax=ax, label=unit, shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


# What two cores share, closest first, as the placement planner names it.
LEVELS = ("smt", "l2", "l3", "package", "machine")


def cores_from_log(text):
    """{core: (package, core, thread, node, l2, l3)} from the kernel's topology lines."""
    out = {}
    for raw in text.splitlines():
        m = topo_check.CORE.match(bootlog.split_line(0, raw).text)
        if m:
            n, _apic, package, core, thread, node, l2, l3 = map(int, m.groups())
            out[n] = (package, core, thread, node, l2, l3)
    return out


def level(cores, i, j):
    a, b = cores[i], cores[j]
    if a[0] == b[0] and a[1] == b[1]:
        return "smt"
    if a[4] == b[4]:
        return "l2"
    if a[5] == b[5]:
        return "l3"
    return "package" if a[0] == b[0] else "machine"


def by_placement(values, cores, same_core=None):
    """Markdown: the round trip by what caller and callee share (median of
    the pairs' medians, the lowest, and how many pairs)."""
    groups = {}
    for (i, j), v in values.items():
        if i in cores and j in cores:
            groups.setdefault(level(cores, i, j), []).append(v)
    lines = ["| placement | pairs | median | lowest |", "|---|---:|---:|---:|"]
    if same_core is not None:
        lines.append(f"| same core (cross task, on one core) | - | {same_core:,.0f} | - |")
    for name in LEVELS:
        vs = sorted(groups.get(name, []))
        if vs:
            lines.append(f"| {name} | {len(vs)} | {vs[len(vs) // 2]:,.0f} | {vs[0]:,.0f} |")
    return "\n".join(lines) + "\n"
