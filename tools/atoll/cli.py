"""./atoll: build, boot, test and package Atoll.

Every verb first checks the Debian packages and builds (cmake presets).
"""
import argparse
import dataclasses
import datetime
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run as a script

from atoll import accel, bench, bootcfg, build, ctestrun, hostmatrix, deps, exitstatus, iso, paths, qemu, ui  # noqa: E402
from atoll import place, topo, topo_cli, topo_qemu  # noqa: E402
from atoll.ui import AtollError  # noqa: E402


def setup(args):
    if args.no_setup:
        return
    deps.ensure()
    build.ensure_built()


def existing(path):
    if not Path(path).is_file():
        raise AtollError(f"{path} not found: the CMake target atoll_image should build it")
    return Path(path)


# ---------------------------------------------------------------- run

def _boot_modules(args):
    """The L4Re-style boot (sigma0, the root task, the programs of the boot
    configuration) unless the command line asks the kernel for its tests
    or its own first tasks."""
    words = args.cmdline.split()
    init = next((w[len("init="):] for w in words if w.startswith("init=")), None)
    if init is not None:
        # The kernel's own first tasks: their modules from build/user/ ("name@core" -> name).
        names = dict.fromkeys(item.split("@")[0] for item in init.split(",") if item)
        return tuple(existing(paths.BUILD / "user" / name) for name in names)
    if args.kernel_only or any(w == "probe" or w.startswith("test=") for w in words):
        return ()
    config = Path(args.config) if args.config else paths.BUILD / bootcfg.DEFAULT
    return bootcfg.modules(config, paths.BUILD)


def _run_medium(args, tmp, modules):
    if not (args.iso or args.uefi):
        return qemu.Kernel(existing(paths.kernel_mb()), args.cmdline, modules)
    image = iso.build(existing(paths.kernel_elf()), tmp / "atoll.iso", args.cmdline, modules)
    return qemu.Iso(image, qemu.copy_ovmf_vars(tmp) if args.uefi else None)


def _run_machine(args, accel_name):
    """-smp N, or the shape of --topology (NAME or hwloc XML) with its NUMA nodes."""
    if not args.topology:
        return qemu.Machine(accel_name, args.cores, args.memory)
    t = topo.load(args.topology)
    plan = topo_qemu.plan(t, args.memory, accel_name)
    if args.cores not in (2, plan.shape.cpus):   # 2: the default, i.e. not given
        raise AtollError(f"--cores {args.cores} contradicts --topology {args.topology} "
                         f"({plan.shape.cpus} CPUs); leave --cores out")
    ui.info(f"topology {t.name}: {t.one_line()}; -smp {plan.shape.smp()}, "
            f"{len(plan.node_cpus)} node(s) x {plan.node_mib} MiB")
    return plan.machine()


def cmd_run(args, _extra):
    setup(args)
    kernel = existing(paths.kernel_mb())
    modules = _boot_modules(args)   # user programs mean a KVM probe with one
    user_mode = bool(modules)
    choice = accel.choose(args.accel, kernel,
                          probe=lambda k: accel.probe_kvm(k, paths.accel_cache(), user=user_mode))
    ui.info(choice.describe())
    machine = _run_machine(args, choice.accel)
    with tempfile.TemporaryDirectory(prefix="atoll-run-") as tmp:
        cmd = qemu.command(machine, _run_medium(args, Path(tmp), modules), serial="mon:stdio")
        ui.info(f"{qemu.quote(cmd)}  (Ctrl-A X quits)")
        result = qemu.run_interactive(cmd, args.timeout)
    outcome = result.outcome()
    ui.info(outcome.description)
    return outcome.exit_code()


# ---------------------------------------------------------------- test, image

def cmd_test(args, extra):
    setup(args)
    return ctestrun.run(extra[1:] if extra[:1] == ["--"] else extra)


def cmd_bench(args, _extra):
    if args.compare:
        print(bench.compare(*args.compare))
        return 0
    setup(args)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or paths.BUILD / "bench-results" / f"{stamp}-{args.accel}"
    cores, machine = args.cores, None
    if args.topology:
        # The matrix on a library machine's shape: its pairs grouped by what they share.
        plan = topo_qemu.plan(topo.load(args.topology), None, "tcg" if args.accel == "icount" else args.accel)
        cores, machine = plan.shape.cpus, plan.machine()
        if args.accel == "icount":
            machine = dataclasses.replace(machine, extra=tuple(machine.extra) + bench.ICOUNT)
    bench.run(args.accel, out, quick=args.quick, name_filter=args.filter, pair_cores=cores, pair_machine=machine)
    if args.host_matrix:
        host = topo.load("host")
        model = hostmatrix.write(out, hostmatrix.measure(host=host), host)
        ui.info(f"host core-to-core: {model['talk']} ns; plan with it: "
                f"./atoll place CONFIG --cost {Path(out) / 'host-cost.json'}")
    print((Path(out) / "report.md").read_text())
    return 0


def cmd_image(args, _extra):
    setup(args)
    out = iso.build(existing(paths.kernel_elf()), args.out, args.cmdline, _boot_modules(args))
    size = out.stat().st_size / (1 << 20)
    ui.info(f"wrote {out} ({size:.1f} MiB, BIOS + UEFI), kernel cmdline: {args.cmdline!r}")
    return 0


# ---------------------------------------------------------------- parser

def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_run(sub):
    p = sub.add_parser("run", help="boot Atoll in QEMU, serial console on this terminal",
                       description="Boot Atoll in QEMU with the serial console on this terminal "
                       "(Ctrl-A X quits). Exits with the OS's shutdown status, or "
                       f"{exitstatus.NO_SHUTDOWN} if the OS did not shut down.")
    p.add_argument("--cores", type=_positive, default=2,
                   help="number of cores (default 2; with --topology, the topology's)")
    p.add_argument("--topology", metavar="NAME|FILE",
                   help="boot with this machine's shape and NUMA nodes: a library name "
                   "(./atoll topo list), 'host' or an hwloc XML file (lstopo --of xml)")
    p.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                   help="auto: KVM if a probe boot works, else TCG (default auto)")
    p.add_argument("--memory", help="QEMU -m value (default 512M, 2G above 8 cores)")
    p.add_argument("--cmdline", default="", help="kernel command line, e.g. test=all")
    _add_boot_config(p)
    p.add_argument("--iso", action="store_true", help="boot a GRUB ISO instead of -kernel")
    p.add_argument("--uefi", action="store_true", help="boot the ISO with OVMF (implies --iso)")
    p.add_argument("--timeout", type=float, help="stop QEMU after this many seconds")
    p.set_defaults(func=cmd_run)


def _add_test(sub):
    p = sub.add_parser("test", help="build, then run all tests with ctest",
                       description="Build, then run ctest --test-dir build --output-on-failure -j2 "
                       "with any further arguments passed to ctest (e.g. -R boot/tcg-smp2, "
                       "-L host). Exits with ctest's status.")
    p.set_defaults(func=cmd_test, passthrough=True)


def _add_bench(sub):
    p = sub.add_parser("bench", help="Atoll's benchmarks beside Linux's, one results folder",
                       description="Boot the in-OS benchmarks, run the Linux baselines on this host, "
                       "and write results.json (Google Benchmark format) and report.md.")
    p.add_argument("--accel", choices=("icount", "tcg", "kvm"), default="icount",
                   help="icount (default): deterministic instruction counts; tcg; kvm")
    p.add_argument("--quick", action="store_true", help="short Linux runs (one repetition)")
    p.add_argument("--cores", type=int, default=4, metavar="N",
                   help="cores for the cross-core pair matrix (default 4; 0 skips it)")
    p.add_argument("--host-matrix", action="store_true",
                   help="also measure this host's core-to-core round trip for every pair of PUs (hwloc-pinned) "
                   "and write host-cost.json, a cost model for ./atoll place --cost")
    p.add_argument("--topology", metavar="NAME|FILE",
                   help="run the pair matrix on this machine's shape (./atoll topo list) and report the "
                   "round trip by placement: SMT sibling, same L2/L3, same package, other package")
    p.add_argument("--filter", metavar="REGEX", help="only benchmarks whose name matches")
    p.add_argument("--out", type=Path, help="results folder (default build/bench-results/DATE-ACCEL)")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two results.json files")
    p.set_defaults(func=cmd_bench)


def _add_boot_config(p):
    p.add_argument("--config", metavar="FILE.cfg",
                   help="boot configuration for the root task (default: runtime/root/boot.cfg, the console "
                   "and a demo echo client/server); its programs' images come from build/user/")
    p.add_argument("--kernel-only", action="store_true",
                   help="boot the kernel without sigma0, the root task and programs")


def _add_image(sub):
    p = sub.add_parser("image", help="build a bootable hybrid (BIOS + UEFI) ISO",
                       description="Build a GRUB (multiboot2) ISO with the serial console.")
    p.add_argument("--cmdline", default="", help="kernel command line")
    _add_boot_config(p)
    p.add_argument("--out", type=Path, default=paths.BUILD / "atoll.iso",
                   help="output path (default build/atoll.iso)")
    p.set_defaults(func=cmd_image)


def parser():
    top = argparse.ArgumentParser(prog="atoll", description=__doc__, allow_abbrev=False,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--no-setup", action="store_true",
                     help="skip the package check and the build")
    sub = top.add_subparsers(dest="verb", required=True, metavar="VERB")
    for add in (_add_run, _add_test, _add_bench, _add_image):
        add(sub)
    topo_cli.add_parser(sub, setup)
    place.add_parser(sub, setup)
    for p in sub.choices.values():
        p.allow_abbrev = False
    return top


def main(argv=None):
    top = parser()
    args, extra = top.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args, extra)
    except AtollError as e:
        ui.error(str(e), e.detail)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
