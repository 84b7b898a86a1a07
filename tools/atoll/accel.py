"""Use KVM only when it actually works: boot the kernel under KVM with
cmdline `probe` and accept KVM if the OS shuts down with status 0. Runs
that start user programs probe with one (user/fpu, which switches FPU
state between threads): under nested KVM the kernel boots but XRSTOR of a
user thread's state can stop QEMU with "emulation failure".

The answer is cached in build/accel-probe.txt, keyed by the kernel image,
the QEMU version and the host kernel release; delete the file to re-probe.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import paths, qemu
from .ui import AtollError, info

PROBE_TIMEOUT = 20
KVM_DEVICE = Path("/dev/kvm")


@dataclass(frozen=True)
class Probe:
    ok: bool
    reason: str
    cached: bool = False


@dataclass(frozen=True)
class Choice:
    accel: str   # "kvm" or "tcg"
    reason: str

    def describe(self):
        return f"accel: {self.accel} ({self.reason})"


def device_problem(device=KVM_DEVICE):
    """Why /dev/kvm can't be used without even trying, or None."""
    if not device.exists():
        return f"{device} does not exist"
    if not os.access(device, os.R_OK | os.W_OK):
        return f"{device} is not readable and writable by this user"
    return None


def user_probe_module(kernel):
    """The user program a user-mode probe boots (next to the kernel's build)."""
    return Path(kernel).parents[1] / "user" / "fpu"


def boot_probe(kernel, timeout=PROBE_TIMEOUT, runner=qemu.run_captured, user=False):
    """Boot `kernel` once under KVM on one core (with user=True, running
    the user-mode FPU test as well); Probe(ok, reason)."""
    medium = qemu.Kernel(kernel, "probe")
    if user:
        medium = qemu.Kernel(kernel, "init=fpu", (user_probe_module(kernel),))
    cmd = qemu.command(qemu.Machine(accel="kvm", cores=1), medium)
    with tempfile.TemporaryDirectory(prefix="atoll-probe-") as tmp:
        run = runner(cmd, Path(tmp) / "serial.log", timeout)
    outcome = run.outcome()
    if outcome.os_status == 0:
        what = "the kernel and a user program" if user else "the kernel"
        return Probe(True, f"probe booted {what} under KVM in {run.seconds:.1f} s")
    return Probe(False, f"kvm probe failed: {outcome.description}")


def cache_key(kernel):
    digest = hashlib.sha256(Path(kernel).read_bytes()).hexdigest()[:16]
    return f"kernel={digest} qemu={qemu.version()!r} host={os.uname().release}"


def read_cache(path, key):
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split(" ", 1) for line in lines if " " in line)
    if fields.get("key") != key or fields.get("ok") not in ("0", "1"):
        return None
    return Probe(fields["ok"] == "1", fields.get("reason", ""), cached=True)


def write_cache(path, key, probe):
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}")
    tmp.write_text(f"key {key}\nok {int(probe.ok)}\nreason {probe.reason}\n")
    os.replace(tmp, path)   # atomic: boot tests may probe concurrently


def probe_kvm(kernel, cache=None, boot=boot_probe, device=KVM_DEVICE, user=False):
    problem = device_problem(device)
    if problem:
        return Probe(False, f"kvm probe failed: {problem}")
    if user and not user_probe_module(kernel).is_file():
        return Probe(False, f"kvm probe failed: {user_probe_module(kernel)} is not built")
    cache = Path(cache) if cache else paths.accel_cache(Path(kernel).parents[1])
    if user:
        cache = cache.with_name(cache.stem + "-user" + cache.suffix)
    key = cache_key(kernel) + (f" user={cache_key(user_probe_module(kernel))}" if user else "")
    cached = read_cache(cache, key)
    if cached:
        return cached
    info(f"probing KVM: booting {kernel} with -accel kvm (at most {PROBE_TIMEOUT} s)")
    result = boot(kernel, user=True) if user else boot(kernel)
    write_cache(cache, key, result)
    return result


def choose(requested, kernel, probe=probe_kvm):
    """requested: auto | kvm | tcg. Raises AtollError if kvm was asked for and fails."""
    if requested == "tcg":
        return Choice("tcg", "requested with --accel tcg")
    result = probe(kernel)
    suffix = f" [cached in {paths.accel_cache().relative_to(paths.ROOT)}]" if result.cached else ""
    if result.ok:
        return Choice("kvm", result.reason + suffix)
    if requested == "kvm":
        raise AtollError(f"--accel kvm requested but KVM does not work: {result.reason}{suffix}")
    return Choice("tcg", result.reason + suffix)
