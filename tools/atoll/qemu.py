"""The one QEMU command line (for `run`, the KVM probe and boot tests) and
the two ways of running it: on the terminal, or captured to a log file."""
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import exitstatus

QEMU = "qemu-system-x86_64"
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x04"


@dataclass(frozen=True)
class Machine:
    accel: str = "tcg"              # "tcg" or "kvm"
    cores: int = 1
    memory: Optional[str] = None    # QEMU -m value; None = default_memory(cores)
    smp: Optional[str] = None       # full -smp value; None = str(cores)
    extra: tuple = ()               # e.g. -numa / -object / -acpitable arguments


@dataclass(frozen=True)
class Kernel:
    """Boot the multiboot v1 image directly with -kernel; `modules` become
    multiboot modules (QEMU's -initrd, comma-separated)."""
    path: Path
    cmdline: str = ""
    modules: tuple = ()


@dataclass(frozen=True)
class Iso:
    """Boot a GRUB ISO: SeaBIOS from the CD drive, or OVMF when given a
    writable VARS copy. Under OVMF the (hybrid) image is attached as a
    virtio disk, as a USB stick would be: OVMF's ATAPI driver gives up on
    reads when TCG runs slowly on a loaded host ("failure reading sector")."""
    path: Path
    ovmf_vars: Optional[Path] = None


def default_memory(cores):
    return "512M" if cores <= 8 else "2G"


# Nested KVM (as on the development machines) cannot set the
# IA32_ARCH_CAPABILITIES MSR that "-cpu host" passes through, and QEMU aborts
# ("failed to set MSR 0x10a"). Atoll never reads that MSR, so it is masked.
KVM_CPU = "host,-arch-capabilities"


def accel_args(accel):
    if accel == "kvm":
        return ["-accel", "kvm", "-cpu", KVM_CPU]
    if accel == "tcg":
        return ["-accel", "tcg", "-cpu", "max"]
    raise ValueError(f"unknown accelerator {accel!r}")


def medium_args(medium):
    if isinstance(medium, Kernel):
        args = ["-kernel", str(medium.path), "-append", medium.cmdline]
        if medium.modules:
            if any("," in str(m) for m in medium.modules):
                raise ValueError("QEMU separates -initrd modules with commas; a module path contains one")
            args += ["-initrd", ",".join(str(m) for m in medium.modules)]
        return args
    if medium.ovmf_vars is None:
        return ["-cdrom", str(medium.path)]
    return ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={medium.ovmf_vars}",
            "-drive", f"if=virtio,format=raw,readonly=on,file={medium.path}"]


def command(machine, medium, serial="stdio"):
    """serial: "mon:stdio" (interactive), "stdio" (captured) or "file:PATH"."""
    return [QEMU, "-machine", "q35", *accel_args(machine.accel),
            "-smp", machine.smp or str(machine.cores),
            "-m", machine.memory or default_memory(machine.cores),
            "-nodefaults", "-display", "none", "-no-reboot",
            "-serial", serial,
            "-device", DEBUG_EXIT,
            *medium_args(medium),
            *machine.extra]


def copy_ovmf_vars(directory):
    """OVMF writes its variable store: give each boot its own copy."""
    target = Path(directory) / "OVMF_VARS.fd"
    shutil.copyfile(OVMF_VARS, target)
    return target


def quote(cmd):
    return " ".join(shlex.quote(str(a)) for a in cmd)


def version():
    done = subprocess.run([QEMU, "--version"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


@dataclass
class Run:
    returncode: Optional[int]
    seconds: float
    timed_out: bool = False
    panicked: bool = False
    stderr: str = ""
    timeout: Optional[float] = None

    def outcome(self):
        return exitstatus.translate(self.returncode, self.timed_out, self.timeout,
                                    self.stderr, self.panicked)


def _stop(proc):
    """SIGTERM first so QEMU restores the terminal, then SIGKILL."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pump(stream, sink, on_line=None):
    for line in iter(stream.readline, b""):
        sink(line)
        if on_line:
            on_line(line)
    stream.close()


@dataclass
class _Watch:
    panic_at: Optional[float] = None
    stderr: list = field(default_factory=list)

    def saw_line(self, line):
        if self.panic_at is None and b"PANIC core" in line:
            self.panic_at = time.monotonic()


def _wait(proc, watch, start, timeout, panic_grace):
    """Wait for QEMU; returns (timed_out, panicked)."""
    while proc.poll() is None:
        now = time.monotonic()
        if timeout is not None and now - start > timeout:
            _stop(proc)
            return True, False
        if watch.panic_at is not None and now - watch.panic_at > panic_grace:
            _stop(proc)
            return False, True
        time.sleep(0.1)
    return False, False


def run_captured(cmd, log_path, timeout, panic_grace=5.0):
    """Serial on stdout -> log_path; stops QEMU on timeout or shortly after a PANIC."""
    watch = _Watch()
    start = time.monotonic()
    with open(log_path, "wb") as log:
        def write(line):
            log.write(line)
            log.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        pumps = [threading.Thread(target=_pump, args=(proc.stdout, write, watch.saw_line)),
                 threading.Thread(target=_pump, args=(proc.stderr, watch.stderr.append))]
        for t in pumps:
            t.start()
        timed_out, panicked = _wait(proc, watch, start, timeout, panic_grace)
        for t in pumps:
            t.join()
    stderr = b"".join(watch.stderr).decode(errors="replace")
    return Run(proc.returncode, time.monotonic() - start, timed_out, panicked, stderr, timeout)


def run_interactive(cmd, timeout=None):
    """Serial console on this terminal; QEMU's stderr is passed through and kept."""
    watch = _Watch()
    start = time.monotonic()

    def forward(line):
        watch.stderr.append(line)
        sys.stderr.buffer.write(line)
        sys.stderr.flush()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    pump = threading.Thread(target=_pump, args=(proc.stderr, forward))
    pump.start()
    try:
        timed_out, _ = _wait(proc, watch, start, timeout, panic_grace=0)
    except KeyboardInterrupt:
        _stop(proc)
        timed_out = False
    pump.join()
    stderr = b"".join(watch.stderr).decode(errors="replace")
    return Run(proc.returncode, time.monotonic() - start, timed_out, False, stderr, timeout)
