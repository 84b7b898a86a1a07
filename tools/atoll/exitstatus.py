"""What a QEMU exit code says about the OS.

The kernel writes status S to isa-debug-exit (port 0xf4), which makes QEMU
exit with (S << 1) | 1. Every other way QEMU ends (exit 0 after a reset or
power-off under -no-reboot, a signal, our timeout) means the OS did not shut
down. QEMU's own start-up errors also exit 1, which would read as status 0,
so a fatal "qemu-system-x86_64: ..." or "qemu: ..." line on stderr takes
precedence.
"""
import re
import signal
from dataclasses import dataclass
from typing import Optional

# Exit code of `./atoll run` when the OS did not shut down itself.
NO_SHUTDOWN = 125

# What the kernel means by its statuses (kernel/power.hpp, percpu/coordinator.cpp).
STATUS_PANIC = 3
KNOWN_STATUS = {0: "success", 1: "tests failed", STATUS_PANIC: "kernel panic"}

# "qemu-system-x86_64: -kernel x: No such file", "qemu: invalid kernel header"
_QEMU_ERROR = re.compile(r"^qemu(?:-system-\w+)?: (?!.*\bwarning\b)(?!terminating on signal)(.+)$",
                         re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    os_status: Optional[int]   # None: the OS did not shut down
    description: str

    @property
    def shut_down(self):
        return self.os_status is not None

    def exit_code(self):
        """Exit code for a verb that 'exits with the OS's exit status'."""
        return self.os_status if self.shut_down else NO_SHUTDOWN


def qemu_error(stderr):
    """The first fatal error QEMU printed, or None (warnings don't count)."""
    match = _QEMU_ERROR.search(stderr or "")
    return match.group(1).strip() if match else None


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def translate(returncode, timed_out=False, timeout=None, stderr="", panicked=False):
    """Describe how QEMU ended; `returncode` as from subprocess (negative = signal)."""
    if panicked:
        return Outcome(None, "the OS did not shut down: kernel PANIC (QEMU stopped by the runner)")
    if timed_out:
        limit = f" within {timeout:g} s" if timeout else ""
        return Outcome(None, f"the OS did not shut down{limit}: timed out, QEMU killed")
    error = qemu_error(stderr)
    if returncode is None:
        return Outcome(None, "the OS did not shut down: QEMU did not finish")
    if returncode < 0:
        why = f": {error}" if error else ""
        return Outcome(None, f"the OS did not shut down: QEMU killed by {_signal_name(-returncode)}{why}")
    if returncode == 1 and error:
        return Outcome(None, f"QEMU failed: {error}")
    if returncode & 1:
        status = returncode >> 1
        meaning = f" ({KNOWN_STATUS[status]})" if status in KNOWN_STATUS else ""
        return Outcome(status, f"the OS shut down with status {status}{meaning}")
    if returncode == 0:
        return Outcome(None, "the OS did not shut down: QEMU exited 0 "
                             "(guest reset/triple fault under -no-reboot, power-off, or monitor quit)")
    why = f": {error}" if error else ""
    return Outcome(None, f"the OS did not shut down: QEMU exited {returncode}{why}")
