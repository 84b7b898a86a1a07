"""`./atoll place CONFIG [--topology NAME|FILE.xml] [--cost measured.json]`:
plan one core per program with the same C++ planner Atoll uses
(percpu/placement.cpp, built as build/tools/atoll-place), on a machine read
by hwloc, and show the plan as a table and as a picture.

The machine goes to atoll-place in the kernel's own log format (docs/boot.md),
`topology: core N apic X package P core C thread T node D l2 G l3 G` and
`numa: distance I J = V`, with hwloc's logical PU index as the core number.
"""
import json
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from . import paths, topo, topo_qemu, ui
from .ui import AtollError

LEVELS = ("same-core", "smt", "l2", "l3", "node", "package", "machine")
APART_LEVELS = LEVELS
PALETTE = ("#ffb3ba", "#bae1ff", "#baffc9", "#ffffba", "#ffdfba", "#e0bbe4", "#c9c9ff",
           "#ffcce6", "#b5ead7", "#f3d1a2", "#d5f4e6", "#fde2e4")


def planner_path(build_dir=paths.BUILD):
    return Path(build_dir) / "tools" / "atoll-place"


@dataclass(frozen=True)
class Placement:
    program: str
    core: int
    package: int
    core_id: int
    thread: int
    node: int
    l2: int
    l3: int
    near: str       # what it shares with its `near` program, "-" without near
    line: int


@dataclass(frozen=True)
class Plan:
    placements: tuple
    talk_cost: int
    apart_cost: int


# ---------------------------------------------------------------- inputs for atoll-place

def topology_lines(t):
    """The machine in the kernel's log format. APIC ids are QEMU's for the
    shape when it has one, else hwloc's OS index; a missing L2 is the core,
    a missing L3 the package (as the kernel assumes without cache leaves)."""
    try:
        ids = topo_qemu.shape_of(t).apic_ids()
    except topo_qemu.NotEmulatable:
        ids = [c.os_index for c in t.cpus]
    lines = []
    for c in t.cpus:
        l2 = c.l2 if c.l2 >= 0 else c.core
        l3 = c.l3 if c.l3 >= 0 else c.package
        lines.append(f"topology: core {c.index} apic {ids[c.index]} package {c.package} core {c.core} "
                     f"thread {c.thread} node {c.node} l2 {l2} l3 {l3}")
    for i, row in enumerate(t.distances):
        for j, v in enumerate(row):
            lines.append(f"numa: distance {i} {j} = {v}")
    return "\n".join(lines) + "\n"


def cost_lines(data, distances=()):
    """A measured cost model (JSON, docs/placement.md) as atoll-place lines.
    Distances not given are scaled from talk.node (node * SLIT / 10) when
    talk.node is given, so the model stays consistent."""
    if not isinstance(data, dict):
        raise AtollError("cost model: expected a JSON object")
    unknown = set(data) - {"unit", "talk", "apart", "distance", "source"}
    if unknown:
        raise AtollError(f"cost model: unknown key(s) {', '.join(sorted(unknown))} "
                         "(expected talk, apart, distance, unit, source)")
    lines = []
    for kind, allowed in (("talk", LEVELS), ("apart", APART_LEVELS)):
        table = data.get(kind, {})
        if not isinstance(table, dict):
            raise AtollError(f"cost model: {kind} must be an object of level: cost")
        for level, value in table.items():
            if level not in allowed:
                raise AtollError(f"cost model: {kind}.{level}: unknown level (expected {', '.join(allowed)})")
            lines.append(f"{kind} {level} {_cost(value, f'{kind}.{level}')}")
    given = {}
    for key, value in data.get("distance", {}).items():
        try:
            d = int(key)
        except ValueError:
            d = -1
        if not 0 <= d <= 255:
            raise AtollError(f"cost model: distance {key!r}: expected a SLIT distance 0-255")
        given[d] = _cost(value, f"distance.{key}")
    node = data.get("talk", {}).get("node")
    if node is not None:
        for d in sorted(set(distances) - set(given)):
            given[d] = round(_cost(node, "talk.node") * d / 10)
    lines += [f"distance {d} {v}" for d, v in sorted(given.items())]
    return "\n".join(lines) + "\n"


def _cost(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value > 0xffffffff:
        raise AtollError(f"cost model: {where} = {value!r}: expected a number >= 0")
    return int(round(value))


# ---------------------------------------------------------------- running the planner

def parse_output(text):
    placements, talk, apart = [], None, None
    for line in text.splitlines():
        w = line.split()
        # program NAME core N package P core C thread T node D l2 G l3 G near LEVEL line L
        if w[:1] == ["program"] and len(w) == 20:
            placements.append(Placement(w[1], int(w[3]), int(w[5]), int(w[7]), int(w[9]), int(w[11]),
                                        int(w[13]), int(w[15]), w[17], int(w[19])))
        elif w[:2] == ["cost", "talk"] and len(w) == 5:
            talk, apart = int(w[2]), int(w[4])
    if talk is None:
        raise AtollError("atoll-place printed no 'cost' line", text)
    return Plan(tuple(placements), talk, apart)


def run(t, config, cost=None, exe=None):
    """Plan CONFIG on topology t with atoll-place; AtollError with its reasons if impossible."""
    exe = Path(exe) if exe else planner_path()
    if not exe.is_file():
        raise AtollError(f"{exe} not found: build first (cmake --build --preset default)")
    config = Path(config)
    if not config.is_file():
        raise AtollError(f"config {config} not found")
    with tempfile.TemporaryDirectory(prefix="atoll-place-") as tmp:
        machine = Path(tmp) / "machine.txt"
        machine.write_text(topology_lines(t))
        cmd = [str(exe), "--topology", str(machine), "--config", str(config)]
        if cost is not None:
            try:
                data = json.loads(Path(cost).read_text())
            except (OSError, ValueError) as e:
                raise AtollError(f"cost model {cost}: {e}")
            model = Path(tmp) / "cost.txt"
            model.write_text(cost_lines(data, {v for row in t.distances for v in row}))
            cmd += ["--cost", str(model)]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        reasons = "\n".join(line.removeprefix("error: ") for line in done.stderr.splitlines() if line.strip())
        raise AtollError(f"no placement for {config.name} on {t.name}", reasons)
    return parse_output(done.stdout)


# ---------------------------------------------------------------- output

def table(plan, t):
    head = ("program", "core", "package", "node", "l3", "smt sibling of", "near")
    rows = []
    by_core = {}
    for p in plan.placements:
        by_core.setdefault((p.package, p.core_id), []).append(p.program)
    for p in plan.placements:
        siblings = [q for q in by_core[(p.package, p.core_id)] if q != p.program]
        rows.append((p.program, str(p.core), str(p.package), str(p.node), str(p.l3),
                     ",".join(siblings) or "-", p.near))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"cost: talk {plan.talk_cost}, apart {plan.apart_cost}, total "
                 f"{plan.talk_cost + plan.apart_cost} (on {t.name}: {t.one_line()})")
    return "\n".join(lines)


def annotated_xml(t, plan):
    """The topology's hwloc XML with each program drawn on its core: the PU
    coloured (lstopoStyle) and a Misc object with the program's name inside."""
    root = ET.fromstring(t.xml)
    pus = [o for o in root.iter("object") if o.get("type") == "PU"]
    colour = {}
    for n, p in enumerate(plan.placements):
        pu = pus[p.core]
        if p.core not in colour:
            colour[p.core] = PALETTE[n % len(PALETTE)]
            pu.insert(0, ET.Element("info", name="lstopoStyle", value=f"Background={colour[p.core]}"))
        ET.SubElement(pu, "object", type="Misc", name=p.program)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE topology SYSTEM "hwloc2.dtd">\n'
            + ET.tostring(root, encoding="unicode"))


def picture(t, plan, out, title):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    legend = [title] + [f"{p.program}: core {p.core} (package {p.package}, node {p.node}, l3 {p.l3})"
                        for p in plan.placements]
    with tempfile.TemporaryDirectory(prefix="atoll-place-") as tmp:
        src = Path(tmp) / "plan.xml"
        src.write_text(annotated_xml(t, plan))
        # --no-factorize: lstopo would otherwise draw only the first and last
        # of many identical cores, hiding programs placed in between.
        cmd = [topo.LSTOPO, "--input", str(src), "--no-io", "--no-factorize", "--no-default-legend",
               "--of", "png", "-f"]
        for line in legend:
            cmd += ["--append-legend", line]
        done = subprocess.run(cmd + [str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise AtollError(f"lstopo could not draw the plan (exit {done.returncode})", done.stderr)
    return out


def cmd_place(args, _extra, setup=None):
    if setup:
        setup(args)
    t = topo.load(args.topology or topo.HOST)
    plan = run(t, args.config, args.cost)
    print(table(plan, t))
    if not args.no_picture:
        stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in f"{Path(args.config).stem}-{t.name}")
        out = args.png or (paths.BUILD / "place" / f"{stem}.png")
        picture(t, plan, out, f"{Path(args.config).name} on {t.name}")
        print(f"picture: {out}")
    return 0


def add_parser(sub, setup):
    p = sub.add_parser("place", help="plan one core per program of a config on a topology",
                       description=__doc__.split("\n\n")[0] + " Keys, cost model and file formats: "
                       "docs/placement.md.")
    p.add_argument("config", help="boot configuration with [program NAME] sections and placement keys")
    p.add_argument("--topology", metavar="NAME|FILE",
                   help="library name, 'host' (default) or an hwloc XML file (lstopo --of xml)")
    p.add_argument("--cost", metavar="JSON", help="measured cost model (docs/placement.md)")
    p.add_argument("--png", type=Path, help="where to write the picture (default build/place/CONFIG-TOPO.png)")
    p.add_argument("--no-picture", action="store_true", help="only the table")
    p.set_defaults(func=lambda args, extra: cmd_place(args, extra, setup))
    return p
