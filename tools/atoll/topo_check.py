"""The kernel sees what hwloc sees: compare a boot log's topology lines with
hwloc's reading of the description QEMU was started from.

Kernel lines (docs/boot.md):
  topology: N cores, M NUMA nodes (cores from ..., nodes from ..., distances from ...)
  numa: distance I J = V
  numa: node D memory BASE-END[ hotplug]
  topology: core N apic X package P core C thread T node D l2 G l3 G
  boot: N of M cores online; starting the others took T ms

Each kernel core is matched to hwloc's PU through its APIC id (QEMU's rule
for the -smp shape, tools/atoll/topo_qemu.py), then packages, cores per
package, threads per core, NUMA nodes and their CPUs, the distance matrix and
each node's memory are compared. L3 groups are compared only where the guest
CPU describes its caches: QEMU 7.2's TCG `-cpu max` is an AMD CPU without
cache leaves (no TOPOEXT), so the kernel falls back to one L3 per package and
its L3 groups say nothing about the description.
"""
import re
from dataclasses import dataclass, field
from typing import Optional

from . import bootlog, topo

SUMMARY = re.compile(r"^topology: (\d+) cores, (\d+) NUMA nodes \((.*)\)\s*$")
CORE = re.compile(r"^topology: core (\d+) apic (\d+) package (\d+) core (\d+) thread (\d+) "
                  r"node (\d+) l2 (\d+) l3 (\d+)\s*$")
MEMORY = re.compile(r"^numa: node (\d+) memory (0x[0-9a-fA-F]+|\d+)-(0x[0-9a-fA-F]+|\d+)( hotplug)?\s*$")
BOOT = re.compile(r"^boot: (\d+) of (\d+) cores online; starting the others took (\d+(?:\.\d+)?) ms")

MEMORY_SLACK_MIB = 4        # the kernel's ranges exclude holes (the 640 KiB - 1 MiB gap)
SHOW_AT_MOST = 12           # differing CPUs listed in full


@dataclass
class KernelCore:
    core: int
    apic: int
    package: int
    core_id: int
    thread: int
    node: int
    l2: int
    l3: int


@dataclass
class KernelView:
    cores: list = field(default_factory=list)        # [KernelCore]
    core_count: Optional[int] = None
    node_count: Optional[int] = None
    sources: str = ""
    distances: dict = field(default_factory=dict)    # (i, j) -> v
    memory: dict = field(default_factory=dict)       # node -> bytes (non-hotplug)
    boot_ms: Optional[float] = None
    online: Optional[int] = None


def _int(text):
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def parse(text):
    view = KernelView()
    for line in bootlog.lines(text):
        t = line.text
        if m := CORE.match(t):
            view.cores.append(KernelCore(*map(int, m.groups())))
        elif m := SUMMARY.match(t):
            view.core_count, view.node_count, view.sources = int(m.group(1)), int(m.group(2)), m.group(3)
        elif m := bootlog.DISTANCE.match(t):
            i, j, v = map(int, m.groups())
            view.distances[(i, j)] = v
        elif m := MEMORY.match(t):
            if not m.group(4):
                node = int(m.group(1))
                view.memory[node] = view.memory.get(node, 0) + _int(m.group(3)) - _int(m.group(2))
        elif m := BOOT.match(t):
            view.online, view.boot_ms = int(m.group(1)), float(m.group(3))
    return view


def _partition(items):
    """{key: [members]} -> sorted tuple of sorted member tuples (labels dropped)."""
    return sorted(tuple(sorted(v)) for v in items.values())


def _groups(pairs):
    out = {}
    for key, member in pairs:
        out.setdefault(key, []).append(member)
    return out


def _side_by_side(title, kernel, hwloc):
    return f"{title}\n    kernel: {kernel}\n    hwloc:  {hwloc}"


@dataclass
class Result:
    problems: list
    notes: list


def compare(t, q, text, l3_exposed=False):
    """Problems (each showing both sides) and notes for topology t booted as QEMU plan q."""
    view = parse(text)
    problems, notes = [], []
    ids = q.shape.apic_ids()
    cpu_of_apic = {apic: index for index, apic in enumerate(ids)}
    hw = {c.index: c for c in t.cpus}

    if view.core_count is None:
        return Result(["no 'topology: N cores, M NUMA nodes' line in the log"], notes)
    if not view.cores:
        return Result(["no 'topology: core N apic X ...' lines in the log"], notes)
    if view.core_count != len(t.cpus) or len(view.cores) != len(t.cpus):
        problems.append(_side_by_side("CPU count differs:", f"{view.core_count} cores "
                                      f"({len(view.cores)} 'topology: core' lines)", f"{len(t.cpus)} PUs"))
    if view.node_count != len(t.nodes):
        problems.append(_side_by_side("NUMA node count differs:", view.node_count, len(t.nodes)))
    for word, table in (("cores from MADT", "MADT"), ("nodes from SRAT", "SRAT")):
        if word not in view.sources:
            problems.append(f"the kernel did not use the {table}: ({view.sources})")

    # -- per CPU: APIC id, numbering, package, node
    matched = {}     # kernel core number -> hwloc Cpu
    rows = []
    for k in view.cores:
        index = cpu_of_apic.get(k.apic)
        if index is None:
            problems.append(f"kernel core {k.core}: APIC id {k.apic} is not one QEMU gives this shape "
                            f"({q.shape.smp()})")
            continue
        c = hw[index]
        matched[k.core] = c
        diffs = []
        if k.core != index:
            diffs.append(f"core number {k.core} vs CPU index {index}")
        if k.package != c.package:
            diffs.append(f"package {k.package} vs {c.package}")
        if k.node != c.node:
            diffs.append(f"node {k.node} vs {c.node}")
        if diffs:
            rows.append(f"  apic {k.apic}: kernel core {k.core} package {k.package} core {k.core_id} "
                        f"thread {k.thread} node {k.node} | hwloc PU L#{c.index} package {c.package} "
                        f"core L#{c.core} thread {c.thread} node {c.node}  ({'; '.join(diffs)})")
    if rows:
        problems.append(f"{len(rows)} CPU(s) differ (kernel | hwloc):\n" + "\n".join(rows[:SHOW_AT_MOST])
                        + (f"\n  ... and {len(rows) - SHOW_AT_MOST} more" if len(rows) > SHOW_AT_MOST else ""))

    kernel_cores = [k for k in view.cores if k.core in matched]
    apic = {k.core: k.apic for k in kernel_cores}

    def by_apic(groups):
        return _partition({key: [apic[m] for m in members] for key, members in groups.items()})

    def hw_by_apic(groups):
        return _partition({key: [ids[m] for m in members] for key, members in groups.items()})

    # -- packages, cores per package, threads per core (as groupings of APIC ids)
    checks = (
        ("packages", _groups((k.package, k.core) for k in kernel_cores),
         _groups((matched[k.core].package, matched[k.core].index) for k in kernel_cores)),
        ("physical cores (threads per core)", _groups(((k.package, k.core_id), k.core) for k in kernel_cores),
         _groups((matched[k.core].core, matched[k.core].index) for k in kernel_cores)),
        ("NUMA nodes", _groups((k.node, k.core) for k in kernel_cores),
         _groups((matched[k.core].node, matched[k.core].index) for k in kernel_cores)),
    )
    for what, kernel_groups, hwloc_groups in checks:
        kp, hp = by_apic(kernel_groups), hw_by_apic(hwloc_groups)
        if kp != hp:
            problems.append(_side_by_side(f"{what} group different APIC ids:",
                                          _show_partition(kp), _show_partition(hp)))
    k_cores = _count_per(kernel_cores, lambda k: k.package, lambda k: (k.package, k.core_id))
    h_cores = t.cores_per_package()
    if sorted(k_cores.values()) != sorted(h_cores.values()):
        problems.append(_side_by_side("cores per package differ:", k_cores, h_cores))
    k_threads = sorted(set(_count_per(kernel_cores, lambda k: (k.package, k.core_id), lambda k: k.core).values()))
    h_threads = sorted(set(t.threads_per_core().values()))
    if k_threads != h_threads:
        problems.append(_side_by_side("threads per core differ:", k_threads, h_threads))

    # -- distances
    n = len(t.nodes)
    expected = {(i, j): t.distances[i][j] for i in range(n) for j in range(n)}
    if view.distances != expected:
        problems.append(_side_by_side("distance matrices differ:", _matrix(view.distances, view.node_count or 0),
                                      _matrix(expected, n)))

    # -- memory per node: QEMU got q.node_mib each
    want = q.node_mib << 20
    for node in range(n):
        have = view.memory.get(node, 0)
        if abs(have - want) > MEMORY_SLACK_MIB << 20:
            problems.append(_side_by_side(f"node {node} memory differs by more than {MEMORY_SLACK_MIB} MiB:",
                                          f"{have / (1 << 20):.1f} MiB from its 'numa: node {node} memory' lines",
                                          f"{q.node_mib} MiB (QEMU -numa node,memdev)"))
    extra = sorted(set(view.memory) - set(range(n)))
    if extra:
        problems.append(f"the kernel reports memory on node(s) {extra}, which hwloc does not have")

    # -- L3 groups
    groups = t.l3_groups()
    kl3 = by_apic(_groups((k.l3, k.core) for k in kernel_cores))
    hl3 = hw_by_apic(groups) if groups else []
    kpk = by_apic(_groups((k.package, k.core) for k in kernel_cores))
    if l3_exposed:
        if kl3 != hl3:
            problems.append(_side_by_side("L3 groups differ:", _show_partition(kl3), _show_partition(hl3)))
    else:
        same = "matches" if kl3 == hl3 else "differs from"
        fallback = " (one per package: the kernel's fallback)" if kl3 == kpk else ""
        notes.append(f"L3 groups not compared: the guest CPU (QEMU TCG -cpu max: AMD without TOPOEXT) "
                     f"describes no caches. The kernel has {len(kl3)} L3 group(s){fallback}, which "
                     f"{same} hwloc's {len(hl3)}.")
    if view.boot_ms is not None:
        notes.append(f"boot: {view.online} cores online, starting the others took {view.boot_ms:.0f} ms")
    return Result(problems, notes)


def _count_per(items, key, member):
    out = {}
    for item in items:
        out.setdefault(key(item), set()).add(member(item))
    return {k: len(v) for k, v in sorted(out.items())}


def _show_partition(groups):
    if len(groups) > 16:
        return f"{len(groups)} groups: " + " ".join(topo.cpu_list(g) for g in groups[:16]) + " ..."
    return f"{len(groups)} group(s): " + " | ".join(topo.cpu_list(g) for g in groups)


def _matrix(values, n):
    nodes = sorted({i for i, _ in values} | {j for _, j in values} | set(range(n)))
    rows = [" ".join(f"{values.get((i, j), '?'):>3}" for j in nodes) for i in nodes]
    return "\n      " + "\n      ".join(rows) if rows else "(none)"
