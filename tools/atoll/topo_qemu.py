"""A topology as QEMU options: -smp sockets/dies/cores/threads, one
memory-backed -numa node per NUMA node and -numa dist for the matrix.

QEMU numbers CPUs socket-major (CPU index = ((socket * dies + die) * cores +
core) * threads + thread), which is hwloc's logical PU order, so Atoll's
core N is hwloc's PU L#N. APIC ids follow QEMU's rule for the -smp shape:
thread | core | die | socket bit fields, each ceil(log2(count)) bits wide.
"""
from dataclasses import dataclass
from typing import Optional

from . import qemu, topo
from .ui import AtollError

MAX_MEMORY_MIB = 4096     # total guest memory cap
MEMORY_STEP_MIB = 2       # node shares are rounded down to this
MAX_XAPIC_ID = 254        # 255 is the xAPIC broadcast id; QEMU 7.2 TCG has no x2APIC
MAX_CORES = 256           # percpu/topology.hpp kMaxCores
MAX_NODES = 64            # percpu/topology.hpp kMaxNodes
QEMU_LOCAL_DISTANCE = 10  # QEMU refuses any other local distance


class NotEmulatable(AtollError):
    pass


def field_width(count):
    """Bits QEMU gives a topology level of `count` items: ceil(log2(count))."""
    return (count - 1).bit_length() if count > 1 else 0


def apic_id(socket, die, core, thread, dies, cores, threads):
    core_shift = field_width(threads)
    die_shift = core_shift + field_width(cores)
    socket_shift = die_shift + field_width(dies)
    return (socket << socket_shift) | (die << die_shift) | (core << core_shift) | thread


@dataclass(frozen=True)
class Shape:
    sockets: int
    dies: int
    cores: int        # per die
    threads: int      # per core

    @property
    def cpus(self):
        return self.sockets * self.dies * self.cores * self.threads

    def smp(self):
        return (f"cpus={self.cpus},sockets={self.sockets},dies={self.dies},cores={self.cores},"
                f"threads={self.threads},maxcpus={self.cpus}")

    def apic_ids(self):
        """APIC id of each CPU index."""
        return [apic_id(s, d, c, t, self.dies, self.cores, self.threads)
                for s in range(self.sockets) for d in range(self.dies)
                for c in range(self.cores) for t in range(self.threads)]

    def position(self, index):
        """(socket, die, core, thread) of a CPU index."""
        index, thread = divmod(index, self.threads)
        index, core = divmod(index, self.cores)
        socket, die = divmod(index, self.dies)
        return socket, die, core, thread


def shape_of(t):
    """The -smp shape, or NotEmulatable if the packages are not all alike."""
    def same(values, what):
        found = sorted(set(values))
        if len(found) != 1:
            raise NotEmulatable(f"{t.name}: QEMU's -smp needs every {what} to be alike; "
                                f"this topology has {', '.join(map(str, found))}")
        return found[0]
    dies = same(t.dies_per_package().values(), "package's die count")
    cores_per_die = {}
    for c in t.cpus:
        cores_per_die.setdefault((c.package, c.die), set()).add(c.core)
    cores = same([len(v) for v in cores_per_die.values()], "die's core count")
    threads = same(t.threads_per_core().values(), "core's thread count")
    shape = Shape(len(t.packages), dies, cores, threads)
    for c in t.cpus:   # hwloc's logical order is QEMU's CPU index order
        want = shape.position(c.index)
        have = (c.package, c.die, c.core_in_die, c.thread)
        if want != have:
            raise NotEmulatable(f"{t.name}: PU L#{c.index} is package {have[0]} die {have[1]} core "
                                f"{have[2]} thread {have[3]}, but QEMU's CPU {c.index} would be "
                                f"{want}: the CPU numbering cannot be reproduced")
    return shape


def parse_mib(text):
    """QEMU -m style sizes: 512M, 2G, 1536 (MiB)."""
    text = str(text).strip().upper().removesuffix("B").removesuffix("I")
    scale = 1
    if text.endswith("G"):
        scale, text = 1024, text[:-1]
    elif text.endswith("M"):
        text = text[:-1]
    try:
        return int(float(text) * scale)
    except ValueError:
        raise AtollError(f"memory size {text!r}: expected e.g. 512M or 2G")


@dataclass(frozen=True)
class QemuTopology:
    topo_name: str
    shape: Shape
    node_cpus: tuple          # per node: CPU indexes
    node_mib: int             # memory per node
    distances: tuple          # rows
    accel: str

    @property
    def memory_mib(self):
        return self.node_mib * len(self.node_cpus)

    def args(self):
        """-object/-numa arguments (the -smp and -m values come separately)."""
        out = []
        for node, cpus in enumerate(self.node_cpus):
            out += ["-object", f"memory-backend-ram,id=atoll-node{node},size={self.node_mib}M"]
            spec = f"node,nodeid={node}"
            for part in topo.cpu_list(cpus).split(",") if cpus else ():
                spec += f",cpus={part}"
            out += ["-numa", spec + f",memdev=atoll-node{node}"]
        n = len(self.distances)
        for i in range(n):
            for j in range(n):
                if i != j:
                    out += ["-numa", f"dist,src={i},dst={j},val={self.distances[i][j]}"]
        return out

    def machine(self):
        return qemu.Machine(self.accel, self.shape.cpus, f"{self.memory_mib}M",
                            self.shape.smp(), tuple(self.args()))

    def command_text(self):
        """The options, one group per line, for `./atoll topo qemu`."""
        lines = [f"-smp {self.shape.smp()}", f"-m {self.memory_mib}M"]
        args = self.args()
        for k in range(0, len(args), 2):
            lines.append(f"{args[k]} {args[k + 1]}")
        return " \\\n".join(lines)


def plan(t, memory=None, accel="tcg"):
    """QEMU options for topology t, or NotEmulatable saying why not."""
    shape = shape_of(t)
    ids = shape.apic_ids()
    if shape.cpus > MAX_CORES:
        raise NotEmulatable(f"{t.name}: {shape.cpus} CPUs; Atoll supports at most {MAX_CORES} "
                            f"(and QEMU 7.2 without x2APIC at most 255 APIC ids)")
    if max(ids) > MAX_XAPIC_ID:
        raise NotEmulatable(f"{t.name}: the -smp shape {shape.smp()} gives APIC ids up to {max(ids)}; "
                            f"ids above {MAX_XAPIC_ID} need x2APIC, which QEMU 7.2 does not emulate "
                            "under TCG (and ./atoll sets up no interrupt remapping for KVM)")
    if len(t.nodes) > MAX_NODES:
        raise NotEmulatable(f"{t.name}: {len(t.nodes)} NUMA nodes; Atoll supports at most {MAX_NODES}")
    for i, row in enumerate(t.distances):
        if row[i] != QEMU_LOCAL_DISTANCE:
            raise NotEmulatable(f"{t.name}: node {i}'s local distance is {row[i]}; QEMU requires "
                                f"{QEMU_LOCAL_DISTANCE}")
        for j, v in enumerate(row):
            if i != j and not QEMU_LOCAL_DISTANCE < v <= 255:
                raise NotEmulatable(f"{t.name}: distance {i}->{j} is {v}; QEMU (and ACPI's SLIT) "
                                    f"need 11-255 between different nodes")
    total = parse_mib(memory) if memory else parse_mib(qemu.default_memory(shape.cpus))
    if total > MAX_MEMORY_MIB:
        raise NotEmulatable(f"{t.name}: {total} MiB of guest memory asked for; ./atoll caps QEMU "
                            f"guests at {MAX_MEMORY_MIB} MiB")
    node_mib = total // len(t.nodes) // MEMORY_STEP_MIB * MEMORY_STEP_MIB
    if node_mib < 16:
        raise NotEmulatable(f"{t.name}: {total} MiB over {len(t.nodes)} nodes leaves {node_mib} MiB "
                            "per node; give more memory (--memory)")
    return QemuTopology(t.name, shape, tuple(tuple(n.cpus) for n in t.nodes), node_mib,
                        tuple(tuple(r) for r in t.distances), accel)


def emulatable(t):
    """(True, "") or (False, reason) for the default memory under TCG."""
    try:
        plan(t)
        return True, ""
    except NotEmulatable as e:
        return False, str(e)


class LazyMachine:
    """A qemu.Machine-like object for configs.py: the topology is read with
    hwloc only when a boot (or the CTest manifest) needs it."""

    def __init__(self, name, memory=None, accel="tcg"):
        self.name, self._memory, self.accel = name, memory, accel
        self._plan: Optional[QemuTopology] = None
        self._topo = None

    @property
    def topology(self):
        if self._topo is None:
            self._topo = topo.load(self.name)
        return self._topo

    @property
    def qemu(self):
        if self._plan is None:
            self._plan = plan(self.topology, self._memory, self.accel)
        return self._plan

    @property
    def cores(self):
        return self.qemu.shape.cpus

    @property
    def memory(self):
        return f"{self.qemu.memory_mib}M"

    @property
    def smp(self):
        return self.qemu.shape.smp()

    @property
    def extra(self):
        return tuple(self.qemu.args())

    def __repr__(self):
        return f"LazyMachine({self.name!r})"
