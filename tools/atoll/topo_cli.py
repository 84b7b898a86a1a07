"""`./atoll topo`: list, show, qemu and boottime (docs/placement.md).

    ./atoll topo list                         library entries and a one-line summary
    ./atoll topo show NAME | --topology X.xml packages, cores, threads, nodes, L3, distances; PNG
    ./atoll topo qemu NAME | --topology X.xml the QEMU options that emulate it
    ./atoll topo boottime [--from-logs]       boot time by core count (1..64)
"""
import argparse
import json
import time
from pathlib import Path

from . import bootlog, configs, deps, paths, qemu, topo, topo_check, topo_qemu, ui
from .ui import AtollError

BOOTTIME_COUNTS = (1, 2, 4, 8, 16, 32, 64)
BOOTTIME_TIMEOUT = 300


def topo_dir(build_dir=paths.BUILD):
    return Path(build_dir) / "topo"


def spec_of(args):
    """NAME or --topology FILE (exactly one)."""
    name, option = getattr(args, "name", None), getattr(args, "topology", None)
    if name and option:
        raise AtollError(f"give either a topology name ({name}) or --topology ({option}), not both")
    if not (name or option):
        raise AtollError("which topology? give a name (./atoll topo list) or --topology FILE.xml")
    return name or option


def need_hwloc(args):
    if not getattr(args, "no_setup", False):
        deps.ensure()


def _safe(name):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def boot_status(name):
    """How the test suite treats a library entry."""
    for boot_name, _ in configs.TOPOLOGY_BOOTS:
        if boot_name == name:
            return f"boot test boot/topo-{name}"
    reason = configs.TOPOLOGY_NOT_BOOTED.get(name)
    return f"not booted by the tests: {reason}" if reason else "not booted by the tests"


# ---------------------------------------------------------------- verbs

def cmd_list(args, _extra):
    need_hwloc(args)
    names = topo.library_names()
    width = max(len(n) for n in names) if names else 10
    for name in names:
        try:
            t = topo.load(name)
            print(f"{name:<{width}}  {len(t.cpus):>4} CPUs  {t.summary}")
        except AtollError as e:
            print(f"{name:<{width}}     ? CPUs  (unreadable: {e})")
    print(f"\n{len(names)} topologies in {topo.LIBRARY}; any 'lstopo --of xml' file works too "
          "(--topology FILE.xml).")
    return 0


def cmd_show(args, _extra):
    need_hwloc(args)
    t = topo.load(spec_of(args))
    print(topo.describe(t))
    try:
        q = topo_qemu.plan(t, args.memory)
        ids = q.shape.apic_ids()
        print(f"QEMU: -smp {q.shape.smp()}, APIC ids {min(ids)}-{max(ids)}, {q.node_mib} MiB per node "
              f"(./atoll topo qemu {args.name or '--topology ' + str(args.topology)})")
    except topo_qemu.NotEmulatable as e:
        print(f"QEMU: cannot emulate it here: {e}")
    if t.path is not None and t.path.parent == topo.LIBRARY:
        print(f"tests: {boot_status(t.name)}")
    if not args.no_picture:
        png = topo.picture(t, topo_dir() / f"{_safe(t.name)}.png")
        print(f"picture: {png}")
    return 0


def cmd_qemu(args, _extra):
    need_hwloc(args)
    t = topo.load(spec_of(args))
    q = topo_qemu.plan(t, args.memory, args.accel)
    ids = q.shape.apic_ids()
    ui.info(f"{t.name}: {len(ids)} CPUs, APIC ids {min(ids)}-{max(ids)} (CPU index i = hwloc PU L#i), "
            f"{len(q.node_cpus)} node(s) x {q.node_mib} MiB")
    print(q.command_text())
    return 0


# ---------------------------------------------------------------- boot time

def _memory_of(command):
    """The -m value in a saved QEMU command line, or "?"."""
    words = command.split()
    return words[words.index("-m") + 1] if "-m" in words[:-1] else "?"


def boottime_rows(build_dir=paths.BUILD):
    """(label, cores, ms, memory) from every saved boot log with a 'boot: N of M' line."""
    rows = []
    for log in sorted(Path(build_dir).glob("boot-logs/*/serial.log")) + \
            sorted((topo_dir(build_dir) / "boottime").glob("*.log")):
        view = topo_check.parse(bootlog.read(log))
        if view.boot_ms is None:
            continue
        if log.name == "serial.log":
            command = log.parent / "command.txt"
            memory = _memory_of(command.read_text()) if command.is_file() else "?"
            rows.append((log.parent.name, view.online, view.boot_ms, memory))
        else:
            command = log.with_suffix(".cmd")
            memory = _memory_of(command.read_text()) if command.is_file() else "?"
            rows.append((log.stem, view.online, view.boot_ms, memory))
    return rows


def boottime_table(rows):
    lines = [f"{'boot':<28} {'cores':>5} {'memory':>7} {'others started in':>18} {'per core':>9}"]
    for label, cores, ms, memory in sorted(rows, key=lambda r: (r[1], r[0])):
        per = f"{ms / (cores - 1):.1f} ms" if cores > 1 else "-"
        lines.append(f"{label:<28} {cores:>5} {memory:>7} {ms:>15.1f} ms {per:>9}")
    return "\n".join(lines)


def measure(counts, build_dir=paths.BUILD, memory=None):
    """Boot a plain -smp N machine for each count; returns rows as boottime_rows."""
    kernel = paths.kernel_mb(build_dir)
    if not kernel.is_file():
        raise AtollError(f"{kernel} not found: build first")
    out = topo_dir(build_dir) / "boottime"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in counts:
        machine = qemu.Machine("tcg", n, memory)
        cmd = qemu.command(machine, qemu.Kernel(kernel, ""))
        log = out / f"smp{n}.log"
        log.with_suffix(".cmd").write_text(qemu.quote(cmd) + "\n")
        start = time.monotonic()
        run = qemu.run_captured(cmd, log, BOOTTIME_TIMEOUT)
        view = topo_check.parse(bootlog.read(log))
        if view.boot_ms is None:
            raise AtollError(f"{n} cores: no 'boot: N of M cores online' line ({run.outcome().description}); "
                             f"see {log}")
        ui.info(f"{n} cores: others started in {view.boot_ms:.1f} ms "
                f"(QEMU ran {time.monotonic() - start:.1f} s)")
        rows.append((f"smp{n}", view.online, view.boot_ms, memory or qemu.default_memory(n)))
    (out / "boottime.json").write_text(json.dumps(
        [{"boot": label, "cores": cores, "ms": ms, "memory": mem} for label, cores, ms, mem in rows],
        indent=1) + "\n")
    return rows


def cmd_boottime(args, _extra, setup=None):
    if args.from_logs:
        rows = boottime_rows()
        if not rows:
            raise AtollError("no boot logs with a 'boot: N of M cores online' line: run ./atoll test "
                             "or ./atoll topo boottime first")
    else:
        if setup:
            setup(args)
        counts = [int(c) for c in args.cores.split(",")] if args.cores else list(BOOTTIME_COUNTS)
        rows = measure(counts, memory=args.memory)
    print(boottime_table(rows))
    return 0


# ---------------------------------------------------------------- parser

def add_parser(sub, setup):
    top = sub.add_parser("topo", help="machine topologies: list, show, qemu options, boot time",
                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = top.add_subparsers(dest="topo_verb", required=True, metavar="TOPO_VERB")

    p = verbs.add_parser("list", help="library topologies with a one-line summary")
    p.set_defaults(func=cmd_list)

    for verb, func, text in (("show", cmd_show, "packages, cores, nodes, L3 groups, distances and a PNG"),
                             ("qemu", cmd_qemu, "the QEMU options that emulate the topology")):
        p = verbs.add_parser(verb, help=text, description=text)
        p.add_argument("name", nargs="?", help="library name (./atoll topo list) or 'host'")
        p.add_argument("--topology", metavar="FILE", help="an hwloc XML (lstopo --of xml) or .ini file")
        p.add_argument("--memory", help="total guest memory, split equally across nodes (at most 4G)")
        p.set_defaults(func=func)
    verbs.choices["show"].add_argument("--no-picture", action="store_true", help="skip the PNG")
    verbs.choices["qemu"].add_argument("--accel", choices=("tcg", "kvm"), default="tcg")

    p = verbs.add_parser("boottime", help="time to start the other cores, by core count",
                         description="Boots Atoll under TCG with 1, 2, 4, ... 64 cores (about a minute) "
                         "and prints how long the boot core took to start the others, from each log's "
                         "'boot: N of M cores online; starting the others took T ms' line.")
    p.add_argument("--cores", help="comma-separated core counts (default 1,2,4,8,16,32,64)")
    p.add_argument("--memory", help="QEMU -m (default 512M up to 8 cores, 2G above)")
    p.add_argument("--from-logs", action="store_true",
                   help="boot nothing: read build/boot-logs/* (after ./atoll test) and earlier runs")
    p.set_defaults(func=lambda args, extra: cmd_boottime(args, extra, setup))
    return top
