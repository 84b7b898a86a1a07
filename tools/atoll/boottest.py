"""CTest entry point for boot tests (registered by tests/boot/boot.cmake).

  manifest                       configurations, one line each, for boot.cmake
  boot  --config C --build-dir B boot QEMU once (fixture setup); saves
                                 B/boot-logs/C/{serial.log,results.json,command.txt}
  check --config C --build-dir B WHAT [NAME]
                                 WHAT: ktest NAME | online | shutdown | numa | srat | panic
                                       | topology

Exit 77 means skipped (KVM configuration without working KVM).
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run as a script

from atoll import accel, bootlog, configs, iso, paths, qemu, topo_check  # noqa: E402
from atoll.exitstatus import STATUS_PANIC, Outcome  # noqa: E402
from atoll.ui import AtollError  # noqa: E402

SKIP = 77
PANIC_GRACE = 10.0  # the kernel exits by itself after "PANIC end"; this is a backstop
RESULTS = "results.json"
SERIAL = "serial.log"


# ---------------------------------------------------------------- boot

def _medium(config, build_dir, out):
    modules = tuple(Path(build_dir) / m for m in config.modules)
    for module in modules:
        if not module.is_file():
            raise AtollError(f"boot module {module} missing: build first (cmake --build --preset default)")
    if config.boot == "kernel":
        return qemu.Kernel(paths.kernel_mb(build_dir), config.cmdline, modules)
    image = iso.build(paths.kernel_elf(build_dir), out / "atoll.iso", config.cmdline, modules)
    if config.boot == "iso-uefi":
        return qemu.Iso(image, qemu.copy_ovmf_vars(out))
    return qemu.Iso(image)


def _machine(config, build_dir):
    extra = list(config.machine.extra)
    for table in config.acpi_tables:
        path = Path(build_dir) / table
        if not path.is_file():
            raise AtollError(f"ACPI table {path} missing: build first (cmake --build --preset default)")
        extra += ["-acpitable", f"file={path}"]
    m = config.machine
    return qemu.Machine(m.accel, m.cores, m.memory, m.smp, tuple(extra))


def _reset(out):
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def _write(out, results):
    (out / RESULTS).write_text(json.dumps(results, indent=1) + "\n")


def _summary(config, run, outcome, log):
    passed = sum(k.passed for k in log.ktests)
    failed = len(log.ktests) - passed
    lines = [f"boot {config.name}: {outcome.description} after {run.seconds:.1f} s",
             f"  {len(log.online)} core(s) online, KTEST {passed} passed / {failed} failed, "
             f"summary line {'present' if log.summary else 'MISSING'}, {len(log.panics)} panic(s)"]
    return "\n".join(lines)


def boot(config, build_dir):
    out = paths.boot_logs(build_dir) / config.name
    _reset(out)
    kernel = paths.kernel_mb(build_dir)
    if not kernel.is_file():
        raise AtollError(f"kernel image {kernel} missing: build the atoll_image target first")
    if config.machine.accel == "kvm":
        probe = accel.probe_kvm(kernel, paths.accel_cache(build_dir))
        if not probe.ok:
            _write(out, {"config": config.name, "skipped": probe.reason})
            print(f"skipped {config.name}: {probe.reason}")
            return SKIP
    cmd = qemu.command(_machine(config, build_dir), _medium(config, build_dir, out))
    (out / "command.txt").write_text(qemu.quote(cmd) + "\n")
    print(f"boot {config.name}: {qemu.quote(cmd)}", flush=True)
    run = qemu.run_captured(cmd, out / SERIAL, config.timeout, PANIC_GRACE)
    outcome = run.outcome()
    log = bootlog.parse(bootlog.read(out / SERIAL))
    _write(out, {"config": config.name, "command": cmd,
                 "qemu": {"returncode": run.returncode, "seconds": round(run.seconds, 3),
                          "timed_out": run.timed_out, "panicked": run.panicked,
                          "stderr": run.stderr[-4000:]},
                 "outcome": {"os_status": outcome.os_status, "description": outcome.description},
                 "log": log.to_dict()})
    print(_summary(config, run, outcome, log))
    if run.stderr.strip():
        print("QEMU stderr:\n" + run.stderr.rstrip())
    if outcome.description.startswith("QEMU failed"):
        return 1   # nothing booted: the checks would have nothing to say
    return 0


# ---------------------------------------------------------------- checks

def check_ktest(config, outcome, log, name):
    problems = []
    if not log.passes(name):
        problems.append(f"no 'KTEST PASS {name}' line")
    problems += [f"KTEST FAIL {name} on core {f.core}: {f.reason or '(no reason given)'}"
                 for f in log.failures(name)]
    if log.summary is None:
        problems.append("no 'KTEST-SUMMARY' line: the test run did not finish")
    problems += [f"PANIC on core {p.core}: {p.reason}" for p in log.panics]
    return problems


def check_online(config, outcome, log, name=None):
    cores = config.machine.cores
    seen = {}
    for o in log.online:
        seen[o.core] = seen.get(o.core, 0) + 1
    problems = [f"'core {c} online' appears {seen.get(c, 0)} times (expected once)"
                for c in range(cores) if seen.get(c, 0) != 1]
    problems += [f"unexpected 'core {c} online' (only cores 0..{cores - 1} exist)"
                 for c in sorted(seen) if c >= cores]
    return problems


def check_shutdown(config, outcome, log, name=None):
    problems = []
    if log.shutdown_status is None:
        problems.append("no 'atoll: shutdown status=' line")
    elif log.shutdown_status != 0:
        problems.append(f"kernel reported 'atoll: shutdown status={log.shutdown_status}'")
    if outcome.os_status != 0:
        problems.append(f"QEMU: {outcome.description}")
    elif log.shutdown_status not in (None, 0):
        problems.append("QEMU exit says status 0 but the log disagrees")
    problems += [f"PANIC on core {p.core}: {p.reason}" for p in log.panics]
    return problems


def _check_topology(config, log):
    nodes, packages = dict(config.node_by_apic), dict(config.package_by_apic or ())
    problems = []
    for o in log.online:
        if o.apic not in nodes:
            problems.append(f"core {o.core}: apic {o.apic} is not in this QEMU configuration")
            continue
        if o.node != nodes[o.apic]:
            problems.append(f"core {o.core} (apic {o.apic}): node {o.node}, expected {nodes[o.apic]}")
        if o.apic in packages and o.package != packages[o.apic]:
            problems.append(f"core {o.core} (apic {o.apic}): package {o.package}, "
                            f"expected {packages[o.apic]}")
    return problems


def _check_distances(config, log):
    expected = {(i, j): v for i, j, v in config.distances}
    problems = []
    for i, j, v in log.distances:
        if (i, j) not in expected:
            problems.append(f"unexpected 'numa: distance {i} {j} = {v}'")
        elif v != expected[(i, j)]:
            problems.append(f"'numa: distance {i} {j} = {v}', expected {expected[(i, j)]}")
    reported = {(i, j) for i, j, _ in log.distances}
    problems += [f"no 'numa: distance {i} {j} = {v}' line"
                 for (i, j), v in sorted(expected.items()) if (i, j) not in reported]
    return problems


def check_numa(config, outcome, log, name=None):
    return _check_topology(config, log) + _check_distances(config, log)


def check_srat(config, outcome, log, name=None):
    problems = []
    if not any("SRAT" in line for line in log.acpi):
        problems.append("no 'acpi: ...' line mentioning SRAT (the table is malformed on purpose)")
    problems += [f"core {o.core} on node {o.node}, expected node 0 (bad SRAT must be ignored)"
                 for o in log.online if o.node != 0]
    if not log.online:
        problems.append("no 'core N online' lines")
    return problems


def check_panic(config, outcome, log, name=None):
    """A requested panic: reported by the right core, symbolized, and the machine stops."""
    want = config.panic
    if not log.panics:
        return [f"no 'PANIC core {want.core}: ...' line"]
    first, problems = log.panics[0], []
    if first.core != want.core or want.reason not in first.reason:
        problems.append(f"first panic is 'PANIC core {first.core}: {first.reason}', expected core "
                        f"{want.core} with a reason containing '{want.reason}'")
    if not any(want.frame in frame for frame in first.frames):
        problems.append(f"backtrace does not name {want.frame}: {first.frames or 'no frames'}")
    if not first.ended:
        problems.append(f"no 'PANIC end core {first.core}' line")
    if outcome.os_status != STATUS_PANIC:
        problems.append(f"QEMU: {outcome.description} (expected status {STATUS_PANIC}, kernel panic)")
    return problems


def check_user(config, outcome, log, name=None, text=""):
    """User programs: every expected check passed, none failed, the right
    tasks were killed, the root task reported the expected ends, the
    expected lines were printed, and the machine's status says so."""
    want = config.user
    passed = {u[2] for u in log.user if u[1]}
    problems = [f"no 'USER PASS {n}' line" for n in want.passes if n not in passed]
    problems += [f"USER FAIL {u[2]} (task {u[0]})" for u in log.user if not u[1]]
    for task in want.killed:
        if not any(t.startswith(f"task {task} thread") and " killed: " in t for t in log.tasks):
            problems.append(f"task {task} was not reported killed")
    problems += [f"unexpected kill: {t}" for t in log.tasks
                 if " killed: " in t and t.split()[1] not in want.killed]
    got_exits = {name: status for name, status in log.root_exits}
    for program, status in want.exits:
        if program not in got_exits:
            problems.append(f"no 'root: {program} ...' line saying how it ended (expected {status})")
        elif got_exits[program] != status:
            problems.append(f"root task: {program} ended with {got_exits[program]}, expected {status}")
    problems += [f"unexpected root task report: {p} ended with {s}" for p, s in log.root_exits
                 if p not in dict(want.exits)]
    lines = text.splitlines()   # with the "[cN +t]" prefix: an expectation may name the core
    problems += [f"no line containing {w!r}" for w in want.lines if not any(w in line for line in lines)]
    problems += [f"no line matching {p!r}" for p in want.patterns if not any(re.search(p, line) for line in lines)]
    if want.selfcheck and "selfcheck: ok" not in " ".join(log.selfcheck):
        problems.append("no 'selfcheck: ok' line: " + ("; ".join(log.selfcheck) or "the kernel never ran it"))
    if log.shutdown_status != want.status:
        problems.append(f"shutdown status {log.shutdown_status}, expected {want.status}")
    if outcome.os_status != want.status:
        problems.append(f"QEMU: {outcome.description} (expected OS status {want.status})")
    problems += [f"PANIC on core {p.core}: {p.reason}" for p in log.panics]
    return problems


def check_topology(config, outcome, log, name=None, text=""):
    """What the kernel logged about the machine equals hwloc's reading of the
    library topology QEMU was started from (tools/atoll/topo_check.py)."""
    machine = config.machine
    result = topo_check.compare(machine.topology, machine.qemu, text)
    for note in result.notes:
        print(f"note: {note}")
    return result.problems


BUDGETS = "bench/budgets.txt"   # relative to the repository root


def read_budgets(path):
    """{benchmark name: max instructions per operation} from bench/budgets.txt."""
    budgets = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or not words[1].isdigit():
            raise AtollError(f"{path}:{number}: expected 'NAME MAX_INSTRUCTIONS', got {line.strip()!r}")
        budgets[words[0]] = int(words[1])
    return budgets


def check_placement(config, outcome, log, name=None, text="", build_dir=None):
    """The root task's plan (root: placement: ... lines) is the plan the host
    planner (build/tools/atoll-place) makes for the same configuration on the
    topology the kernel logged."""
    lines = [bootlog.split_line(i, raw).text for i, raw in enumerate(text.splitlines(), 1)]
    machine = [t for t in lines if t.startswith(("topology: core ", "numa: distance "))]
    on_atoll = [t[len("root: placement: "):] for t in lines if t.startswith("root: placement: ")]
    cfg = next((m for m in reversed(config.modules) if m.endswith(".cfg")), None)
    if not machine or not on_atoll or cfg is None:
        return [f"nothing to compare: {len(machine)} topology lines, {len(on_atoll)} placement lines, "
                f"configuration {cfg}"]
    place = Path(build_dir) / "tools" / "atoll-place"
    with tempfile.TemporaryDirectory(prefix="atoll-place-") as tmp:
        topo_file = Path(tmp) / "topology.log"
        topo_file.write_text("\n".join(machine) + "\n")
        done = subprocess.run([str(place), "--topology", str(topo_file), "--config", str(Path(build_dir) / cfg)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    on_host = done.stdout.splitlines()
    if done.returncode != 0:
        return [f"atoll-place failed (exit {done.returncode}): {done.stdout.strip()}"]
    if on_host != on_atoll:
        return ["the plans differ:\n    on Atoll: " + "\n              ".join(on_atoll) +
                "\n    on host:  " + "\n              ".join(on_host)]
    print(f"same plan on Atoll and on the host ({len(on_atoll) - 1} programs)")
    return check_runs_where_planned(on_atoll, lines)


def check_runs_where_planned(plan, lines):
    """Programs that say where their kernel runs them ("... on core K", from
    kCoreInfo) run on the core the plan gave them."""
    problems, checked = [], 0
    for entry in plan:
        m = re.match(r"program (\S+) core (\d+) ", entry)
        if not m:
            continue
        name, core = m.group(1), int(m.group(2))
        said = [int(k) for t in lines if t.startswith(f"[{name}@")
                for k in re.findall(r" on core (\d+)", t)]
        checked += bool(said)
        problems += [f"{name}: planned for core {core}, but its kernel runs it on core {k}" for k in said if k != core]
    if checked < 2:
        problems.append(f"only {checked} program(s) said which core runs them; expected the echo demo's two")
    else:
        print(f"{checked} programs run on the cores the plan gave them")
    return problems + check_memory_where_planned(plan, lines)


def check_memory_where_planned(plan, lines):
    """Each program's memory (the root task's `NAME: memory at PHYS from core
    C` line) comes from its planned core, in that core's NUMA node."""
    planned = {m.group(1): int(m.group(2)) for e in plan if (m := re.match(r"program (\S+) core (\d+) ", e))}
    node_of = {int(m.group(1)): int(m.group(2)) for t in lines
               if (m := re.match(r"topology: core (\d+) apic \d+ .* node (\d+) ", t))}
    ranges = [(int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)) for t in lines
              if (m := re.match(r"numa: node (\d+) memory (0x[0-9a-f]+)-(0x[0-9a-f]+)", t))]
    problems, checked = [], 0
    for t in lines:
        m = re.match(r"root: (\S+): memory at (0x[0-9a-f]+) from core (\d+)", t)
        if not m or m.group(1) not in planned:
            continue
        name, phys, core = m.group(1), int(m.group(2), 16), int(m.group(3))
        node = node_of.get(core)
        checked += 1
        if core != planned[name]:
            problems.append(f"{name}: memory from core {core}, but it is planned for core {planned[name]}")
        elif not any(n == node and lo <= phys < hi for n, lo, hi in ranges):
            problems.append(f"{name}: memory at {phys:#x} is not in node {node}'s memory (core {core})")
    if checked < len(planned):
        problems.append(f"only {checked} of {len(planned)} programs' memory reported")
    else:
        print(f"{checked} programs' memory comes from their core's node")
    return problems


def check_bench(config, outcome, log, name=None):
    """Instruction counts (medians under -icount) within their budgets."""
    budgets = read_budgets(paths.ROOT / BUDGETS)
    measured = {b[0]: b[3] for b in log.bench}
    problems = [f"{bench}: no BENCH line" for bench in budgets if bench not in measured]
    problems += [f"{bench}: {measured[bench]} instructions, budget {limit}"
                 for bench, limit in budgets.items() if bench in measured and measured[bench] > limit]
    for bench, limit in budgets.items():
        if bench in measured:
            print(f"  {bench}: {measured[bench]} instructions (budget {limit})")
    if outcome.os_status != 0:
        problems.append(f"QEMU: {outcome.description}")
    return problems


CHECKS = {"ktest": check_ktest, "online": check_online, "shutdown": check_shutdown,
          "numa": check_numa, "srat": check_srat, "panic": check_panic,
          "user": check_user, "topology": check_topology, "bench": check_bench, "placement": check_placement}
TEXT_CHECKS = ("topology", "user", "placement")   # these also get the serial log's text


def _context(what, name, outcome, text, log):
    """The log lines worth reading when a check fails."""
    parts = [f"outcome: {outcome.description}"]
    if what == "ktest":
        hits = bootlog.matching(text, f" {name} ")
        parts.append(f"lines mentioning {name}:\n" + ("\n".join(hits) or "(none)"))
    if what == "user":
        parts.append("task and user lines:\n" + ("\n".join(log.tasks + bootlog.matching(text, " USER ")) or "(none)"))
    if what in ("srat", "numa"):
        parts.append("acpi/topology lines:\n" + ("\n".join(log.acpi + log.topology) or "(none)"))
    for block in bootlog.panic_blocks(text, log):
        parts.append("PANIC block:\n" + block)
    parts.append(f"last lines of the serial log:\n{bootlog.tail(text) or '(empty)'}")
    return "\n\n".join(parts)


def check(config, build_dir, what, name=None):
    out = paths.boot_logs(build_dir) / config.name
    try:
        results = json.loads((out / RESULTS).read_text())
    except (OSError, ValueError) as e:
        raise AtollError(f"no boot results in {out} ({e}); run the fixture test boot/{config.name}")
    if "skipped" in results:
        print(f"skipped: {results['skipped']}")
        return SKIP
    outcome = Outcome(results["outcome"]["os_status"], results["outcome"]["description"])
    log = bootlog.BootLog.from_dict(results["log"])
    if what == "placement":
        problems = check_placement(config, outcome, log, name, bootlog.read(out / SERIAL), build_dir)
    elif what in TEXT_CHECKS:
        problems = CHECKS[what](config, outcome, log, name, bootlog.read(out / SERIAL))
    else:
        problems = CHECKS[what](config, outcome, log, name)
    label = f"{config.name}/{name or what}"
    if not problems:
        print(f"ok: {label}")
        return 0
    print(f"FAIL: {label}\n" + "\n".join(f"  - {p}" for p in problems) + "\n")
    print(_context(what, name, outcome, bootlog.read(out / SERIAL), log))
    print(f"\nfull log: {out / SERIAL}")
    return 1


def skipped(build_dir, since=0.0):
    """(config, reason) for each boot fixture that skipped itself since `since`."""
    found = []
    for results in sorted(paths.boot_logs(build_dir).glob(f"*/{RESULTS}")):
        try:
            if results.stat().st_mtime < since:
                continue
            data = json.loads(results.read_text())
        except (OSError, ValueError):
            continue
        if "skipped" in data:
            found.append((results.parent.name, data["skipped"]))
    return found


# ---------------------------------------------------------------- main

def _parser():
    parser = argparse.ArgumentParser(prog="boottest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    sub.add_parser("manifest", help="list configurations for boot.cmake")
    for verb in ("boot", "check"):
        p = sub.add_parser(verb)
        p.add_argument("--config", required=True)
        p.add_argument("--build-dir", type=Path, default=paths.BUILD)
    checker = sub.choices["check"]
    checker.add_argument("what", choices=sorted(CHECKS))
    checker.add_argument("name", nargs="?")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.verb == "manifest":
        print("\n".join(configs.manifest_line(c) for c in configs.CONFIGS))
        return 0
    try:
        config = configs.get(args.config)
        if args.verb == "boot":
            return boot(config, args.build_dir)
        if args.what == "ktest" and not args.name:
            raise AtollError("check ktest needs the test name")
        return check(config, args.build_dir, args.what, args.name)
    except (AtollError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        if isinstance(e, AtollError) and e.detail:
            print(e.detail, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
