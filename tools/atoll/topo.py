"""Machine topologies: the library in topologies/, user XML files and the
live host, all read through hwloc's own tools.

A topology is named by
  - a library entry: `xeon-2s-28c` (topologies/xeon-2s-28c.ini),
  - `host`: this machine, taken live (`lstopo --of xml`),
  - a file: any hwloc 2.x XML (`lstopo --of xml > mybox.xml`) or a
    library-format .ini anywhere.

Every source becomes hwloc XML through `lstopo --input SRC --of xml`
(distances from the .ini are added with `hwloc-annotate`), and that XML is
parsed with xml.etree: no hand parsing of synthetic strings. docs/placement.md
describes the .ini format.
"""
import configparser
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import paths
from .ui import AtollError

LIBRARY = paths.ROOT / "topologies"
HOST = "host"
LSTOPO = "lstopo"
ANNOTATE = "hwloc-annotate"
SECTION = "topology"
# hwloc/distances.h: HWLOC_DISTANCES_KIND_FROM_USER | HWLOC_DISTANCES_KIND_MEANS_LATENCY
KIND_USER_LATENCY = 2 | 4
KIND_MEANS_LATENCY = 4
LOCAL, REMOTE = 10, 20          # the kernel's defaults without a SLIT


class TopologyError(AtollError):
    pass


@dataclass(frozen=True)
class Cpu:
    """One hwloc PU: one Atoll core (kernel instance)."""
    index: int          # hwloc logical PU index; Atoll's core number under QEMU
    os_index: int       # hwloc P# (the OS's CPU number on a real machine)
    package: int        # logical package index (0 without Package objects)
    die: int            # die index within its package (0 without Die objects)
    core: int           # logical Core index, machine-wide (the PU's own index without Core objects)
    core_in_die: int    # index of its core within its die (or package)
    thread: int         # index within its core
    node: int           # logical NUMA node index (the first node whose cpuset holds it)
    l2: int             # logical L2 index, -1 without L2 objects
    l3: int             # logical L3 index, -1 without L3 objects


@dataclass(frozen=True)
class Node:
    index: int          # logical index: Atoll's and QEMU's node id
    os_index: int
    memory: int         # bytes (hwloc local_memory; 0 if unknown)
    cpus: tuple         # Cpu.index values


@dataclass
class Topo:
    name: str
    summary: str
    source: str
    xml: str
    cpus: list
    nodes: list
    distances: list                  # [[int]] by logical node index
    distances_from: str              # "description" or "defaults (10 local, 20 remote)"
    l3_sizes: dict = field(default_factory=dict)   # logical L3 index -> bytes
    path: Optional[Path] = None      # the .ini or .xml it came from (None for host)

    # -- counts
    @property
    def packages(self):
        return sorted({c.package for c in self.cpus})

    def cpus_of_package(self, package):
        return [c for c in self.cpus if c.package == package]

    def dies_per_package(self):
        return {p: len({c.die for c in self.cpus_of_package(p)}) for p in self.packages}

    def cores_per_package(self):
        return {p: len({c.core for c in self.cpus_of_package(p)}) for p in self.packages}

    def threads_per_core(self):
        counts = {}
        for c in self.cpus:
            counts[c.core] = counts.get(c.core, 0) + 1
        return counts

    def l3_groups(self):
        """{l3 index: [cpu indexes]} (empty without L3 objects)."""
        groups = {}
        for c in self.cpus:
            if c.l3 >= 0:
                groups.setdefault(c.l3, []).append(c.index)
        return groups

    def core_count(self):
        return len({c.core for c in self.cpus})

    def one_line(self):
        """"2 packages, 56 cores, 112 CPUs, 2 NUMA nodes"."""
        p, n = len(self.packages), len(self.nodes)
        return (f"{p} package{'s' * (p != 1)}, {self.core_count()} cores, {len(self.cpus)} CPUs, "
                f"{n} NUMA node{'s' * (n != 1)}")


# ---------------------------------------------------------------- naming

def library_names(library=LIBRARY):
    return sorted(p.stem for p in Path(library).glob("*.ini"))


def resolve(spec, library=LIBRARY):
    """A name or path -> ("host"|"ini"|"xml", Path or None)."""
    if spec == HOST:
        return "host", None
    path = Path(spec)
    if path.suffix in (".xml", ".ini") or os.sep in spec:
        if not path.is_file():
            raise TopologyError(f"topology file {spec} not found")
        if path.suffix == ".ini":
            return "ini", path
        return "xml", path
    entry = Path(library) / f"{spec}.ini"
    if entry.is_file():
        return "ini", entry
    raise TopologyError(f"unknown topology {spec!r}",
                        "known: " + ", ".join(library_names(library) or ["(none)"])
                        + "; or give an hwloc XML file (lstopo --of xml > mybox.xml)")


# ---------------------------------------------------------------- hwloc

def _tool(name):
    if shutil.which(name) is None:
        raise TopologyError(f"{name} not found: install the Debian package 'hwloc'")
    return name


def _run(cmd, what):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise TopologyError(f"{what}: '{' '.join(cmd)}' failed (exit {done.returncode})",
                            done.stderr.strip())
    return done.stdout


def lstopo_xml(source=None):
    """hwloc XML of `source` (synthetic string or XML path), or of this machine."""
    cmd = [_tool(LSTOPO)]
    if source is not None:
        cmd += ["--input", str(source)]
    return _run(cmd + ["--of", "xml", "-"], f"hwloc could not read {source or 'this machine'}")


def with_distances(xml, matrix, name="NUMALatency"):
    """The XML with a NUMA latency matrix added by hwloc-annotate."""
    n = len(matrix)
    lines = [f"name={name}", str(KIND_USER_LATENCY), str(n)]
    lines += [f"numa:{i}" for i in range(n)]
    lines += [str(v) for row in matrix for v in row]
    with tempfile.TemporaryDirectory(prefix="atoll-topo-") as tmp:
        src, dist = Path(tmp) / "in.xml", Path(tmp) / "distances.txt"
        src.write_text(xml)
        dist.write_text("\n".join(lines) + "\n")
        _run([_tool(ANNOTATE), str(src), str(src), "all", "distances", str(dist)],
             "hwloc-annotate could not add the distances")
        return src.read_text()


# ---------------------------------------------------------------- the library format

def parse_matrix(text, where):
    rows = [line.split() for line in text.strip().splitlines() if line.strip()]
    try:
        matrix = [[int(v) for v in row] for row in rows]
    except ValueError:
        raise TopologyError(f"{where}: distances must be whole numbers, one row per line")
    if any(len(row) != len(matrix) for row in matrix):
        raise TopologyError(f"{where}: distances must be a square matrix "
                            f"({len(matrix)} rows, row lengths {[len(r) for r in matrix]})")
    return matrix


def read_ini(path):
    """{'summary', 'source', 'synthetic'|'xml'|'live', 'distances'} from a library file."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(Path(path).read_text(), source=str(path))
    except (configparser.Error, OSError) as e:
        raise TopologyError(f"{path}: {e}")
    if not parser.has_section(SECTION):
        raise TopologyError(f"{path}: no [{SECTION}] section")
    entry = dict(parser[SECTION])
    unknown = set(entry) - {"summary", "source", "synthetic", "xml", "live", "distances"}
    if unknown:
        raise TopologyError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} "
                            "(expected summary, source, synthetic | xml | live, distances)")
    kinds = [k for k in ("synthetic", "xml", "live") if k in entry]
    if len(kinds) != 1:
        raise TopologyError(f"{path}: needs exactly one of synthetic, xml or live (has {kinds or 'none'})")
    for key in ("summary", "source"):
        if not entry.get(key, "").strip():
            raise TopologyError(f"{path}: '{key}' is missing or empty")
    return entry


# ---------------------------------------------------------------- parsing hwloc XML

def parse_cpuset(text):
    """hwloc bitmap "0x00ffffff,0xf0000000" -> int. Words are 32 bits, most
    significant first; an empty word (",,") is zero; an infinite "0xf...f,"
    prefix is dropped."""
    if not text:
        return 0
    words = [w.strip() for w in text.split(",")]
    if words and words[0] == "0xf...f":
        words = words[1:]
    value = 0
    for w in words:
        value = (value << 32) | (int(w, 16) if w else 0)
    return value


def _bits(value):
    out, i = [], 0
    while value:
        if value & 1:
            out.append(i)
        value >>= 1
        i += 1
    return out


class _Walk:
    def __init__(self):
        self.counters = {}
        self.cpus = []
        self.nodes = []          # (logical, os_index, memory, cpuset int)
        self.l3_sizes = {}
        self.die_in_package = {}  # package -> next die index
        self.core_in_die = {}     # (package, die) -> next core index

    def _next(self, kind):
        n = self.counters.get(kind, 0)
        self.counters[kind] = n + 1
        return n

    def visit(self, obj, ctx):
        kind = obj.get("type")
        ctx = dict(ctx)
        if kind == "NUMANode":
            self.nodes.append((self._next(kind), int(obj.get("os_index", len(self.nodes))),
                               int(obj.get("local_memory", "0")), parse_cpuset(obj.get("cpuset"))))
        elif kind == "Package":
            ctx["package"] = self._next(kind)
            ctx["die"] = 0
        elif kind == "Die":
            self._next(kind)
            package = ctx.get("package", 0)
            ctx["die"] = self.die_in_package.get(package, 0)
            self.die_in_package[package] = ctx["die"] + 1
        elif kind in ("L2Cache", "L3Cache"):
            index = self._next(kind)
            ctx["l2" if kind == "L2Cache" else "l3"] = index
            if kind == "L3Cache":
                self.l3_sizes[index] = int(obj.get("cache_size", "0"))
        elif kind == "Core":
            self._core(ctx)
        elif kind == "PU":
            if "core" not in ctx:          # a PU without a Core object is its own core
                self._core(ctx)
            ctx["thread"] = ctx.get("threads_seen", [0])[0]
            if "threads_seen" in ctx:
                ctx["threads_seen"][0] += 1
            self.cpus.append(dict(index=self._next(kind), os_index=int(obj.get("os_index", 0)),
                                  package=ctx.get("package", 0), die=ctx.get("die", 0),
                                  core=ctx["core"], core_in_die=ctx["core_in_die"],
                                  thread=ctx.get("thread", 0), l2=ctx.get("l2", -1),
                                  l3=ctx.get("l3", -1)))
        for child in obj.findall("object"):
            self.visit(child, ctx)

    def _core(self, ctx):
        ctx["core"] = self._next("Core")
        key = (ctx.get("package", 0), ctx.get("die", 0))
        ctx["core_in_die"] = self.core_in_die.get(key, 0)
        self.core_in_die[key] = ctx["core_in_die"] + 1
        ctx["threads_seen"] = [0]


def _distances(root, nodes):
    """The NUMA latency matrix from <distances2>, by logical node index, or None."""
    best = None
    for d in root.iter("distances2"):
        if d.get("type") != "NUMANode" or not int(d.get("kind", "0")) & KIND_MEANS_LATENCY:
            continue
        if best is None or d.get("name") == "NUMALatency":
            best = d
    if best is None:
        return None
    n = int(best.get("nbobjs"))
    indexes = [int(v) for e in best.findall("indexes") for v in (e.text or "").split()]
    values = [int(v) for e in best.findall("u64values") for v in (e.text or "").split()]
    if len(indexes) != n or len(values) != n * n:
        raise TopologyError(f"hwloc distances '{best.get('name')}': {len(indexes)} indexes and "
                            f"{len(values)} values for {n} objects")
    if best.get("indexing", "os") == "os":
        by_os = {os_index: logical for logical, os_index, _, _ in nodes}
        try:
            indexes = [by_os[i] for i in indexes]
        except KeyError as e:
            raise TopologyError(f"hwloc distances name NUMA node P#{e} which the topology lacks")
    matrix = [[LOCAL if i == j else REMOTE for j in range(len(nodes))] for i in range(len(nodes))]
    for a in range(n):
        for b in range(n):
            matrix[indexes[a]][indexes[b]] = values[a * n + b]
    return matrix


def parse_xml(xml, name="(xml)", summary="", source="", path=None):
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        raise TopologyError(f"{name}: not hwloc XML ({e})")
    top = root.find("object")
    if root.tag != "topology" or top is None:
        raise TopologyError(f"{name}: not an hwloc 2.x topology (no <topology><object>)")
    walk = _Walk()
    walk.visit(top, {})
    if not walk.cpus:
        raise TopologyError(f"{name}: the topology has no PUs")
    node_of = {}
    for logical, _, _, cpuset in walk.nodes:
        for bit in _bits(cpuset):
            node_of.setdefault(bit, logical)
    cpus = [Cpu(node=node_of.get(c["os_index"], 0), **c) for c in walk.cpus]
    nodes = [Node(logical, os_index, memory, tuple(c.index for c in cpus if c.node == logical))
             for logical, os_index, memory, _ in walk.nodes]
    if not nodes:   # hwloc 2 always has one; be kind to hand-written files
        nodes = [Node(0, 0, 0, tuple(c.index for c in cpus))]
    matrix = _distances(root, walk.nodes)
    distances_from = "description"
    if matrix is None:
        matrix = [[LOCAL if i == j else REMOTE for j in range(len(nodes))] for i in range(len(nodes))]
        distances_from = f"defaults ({LOCAL} local, {REMOTE} remote)"
    return Topo(name=name, summary=summary, source=source, xml=xml, cpus=cpus, nodes=nodes,
                distances=matrix, distances_from=distances_from, l3_sizes=walk.l3_sizes, path=path)


# ---------------------------------------------------------------- loading

def _host_summary(topo):
    infos = {}
    for info in ET.fromstring(topo.xml).iter("info"):
        infos.setdefault(info.get("name"), info.get("value"))
    model = infos.get("CPUModel", "unknown CPU")
    return f"this machine ({infos.get('HostName', 'host')}): {model}"


def load(spec, library=LIBRARY):
    """A Topo for a library name, `host`, an .ini or an hwloc XML file."""
    kind, path = resolve(spec, library)
    if kind == "host":
        topo = parse_xml(lstopo_xml(), HOST, source="live: lstopo --of xml on this machine")
        topo.summary = _host_summary(topo)
        return topo
    if kind == "xml":
        xml = lstopo_xml(path)
        return parse_xml(xml, path.stem, summary=f"hwloc XML {path}", source=str(path), path=path)
    entry = read_ini(path)
    if "live" in entry:
        topo = parse_xml(lstopo_xml(), path.stem, source=entry["source"], path=path)
        topo.summary = entry["summary"] or _host_summary(topo)
        return topo
    if "xml" in entry:
        xml_path = (path.parent / entry["xml"].strip()).resolve()
        if not xml_path.is_file():
            raise TopologyError(f"{path}: xml = {entry['xml']}: {xml_path} not found")
        xml = lstopo_xml(xml_path)
    else:
        xml = lstopo_xml(entry["synthetic"].strip())
    if "distances" in entry:
        matrix = parse_matrix(entry["distances"], f"{path}: distances")
        topo = parse_xml(xml, path.stem, path=path)
        if len(matrix) != len(topo.nodes):
            raise TopologyError(f"{path}: distances has {len(matrix)} rows but the topology has "
                                f"{len(topo.nodes)} NUMA nodes")
        if len(matrix) > 1:   # hwloc keeps no distances between fewer than two nodes
            xml = with_distances(xml, matrix)
    t = parse_xml(xml, path.stem, entry["summary"].strip(), entry["source"].strip(), path)
    if "distances" in entry:
        t.distances, t.distances_from = matrix, "description"
    return t


# ---------------------------------------------------------------- text

def cpu_list(indexes):
    """[0, 1, 2, 5, 7, 8] -> "0-2,5,7-8"."""
    out, run = [], []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out) or "-"


def size_text(size):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def _uniform(counts, what):
    values = sorted(set(counts.values()))
    if len(values) == 1:
        return f"{values[0]} {what}"
    return f"{values[0]}-{values[-1]} {what} (not uniform)"


def describe(topo):
    """The text `./atoll topo show` prints."""
    lines = [f"{topo.name}: {topo.summary}" if topo.summary else topo.name]
    if topo.source:
        lines.append(f"source: {topo.source}")
    lines.append(f"{len(topo.packages)} package(s), "
                 f"{_uniform(topo.dies_per_package(), 'die(s)')} per package, "
                 f"{_uniform(topo.cores_per_package(), 'cores')} per package, "
                 f"{_uniform(topo.threads_per_core(), 'thread(s)')} per core: "
                 f"{topo.core_count()} cores, {len(topo.cpus)} CPUs")
    lines.append("CPU numbers are hwloc logical PU indexes (L#), which are Atoll's core numbers under QEMU.")
    lines.append(f"packages:")
    for p in topo.packages:
        cpus = [c.index for c in topo.cpus_of_package(p)]
        lines.append(f"  package {p}: CPUs {cpu_list(cpus)}")
    lines.append(f"NUMA nodes: {len(topo.nodes)}")
    for n in topo.nodes:
        memory = size_text(n.memory) if n.memory else "memory unknown"
        lines.append(f"  node {n.index} (P#{n.os_index}): {memory}, CPUs {cpu_list(n.cpus)}")
    groups = topo.l3_groups()
    if groups:
        lines.append(f"L3 groups: {len(groups)}")
        for g, cpus in sorted(groups.items()):
            size = topo.l3_sizes.get(g, 0)
            lines.append(f"  l3 {g}{' (' + size_text(size) + ')' if size else ''}: CPUs {cpu_list(cpus)}")
    else:
        lines.append("L3 groups: none described")
    lines.append(f"distances ({topo.distances_from}):")
    width = max(3, max(len(str(v)) for row in topo.distances for v in row) + 1)
    lines.append("  node" + "".join(f"{j:>{width}}" for j in range(len(topo.distances))))
    for i, row in enumerate(topo.distances):
        lines.append(f"  {i:>4}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def picture(topo, out, legend=()):
    """lstopo's drawing of the topology as PNG at `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atoll-topo-") as tmp:
        src = Path(tmp) / "topology.xml"
        src.write_text(topo.xml)
        cmd = [_tool(LSTOPO), "--input", str(src), "--no-io", "--of", "png", "-f"]
        for line in (f"{topo.name}: {topo.summary}" if topo.summary else topo.name, *legend):
            cmd += ["--append-legend", line]
        _run(cmd + [str(out)], f"lstopo could not draw {topo.name}")
    return out
